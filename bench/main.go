// Command bench measures sbimport against the performance targets of
// PRODUCT.md (issue 6) and prints each figure beside its target.
//
// It builds the sbimport binary, generates its inputs in a temporary
// folder, and runs the binary as a child process against the sandbox, so
// what it measures is what a user runs:
//
//	go run ./bench                      # every scenario, full size (about 10 minutes)
//	go run ./bench -scenario rate       # one scenario
//	go run ./bench -quick               # small sizes, to try the harness
//
// Scenarios: rate, limit, p503, p503-half, auto, overhead, memory-csv,
// memory-xlsx, validate.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// sizes are the rows each scenario uses, full and -quick.
type sizes struct {
	rate, limit, p503, auto, overhead, memCSV, memXLSX, validate int
}

var (
	full  = sizes{rate: 2000, limit: 2000, p503: 300, auto: 600, overhead: 100_000, memCSV: 1_000_000, memXLSX: 200_000, validate: 100_000}
	quick = sizes{rate: 300, limit: 400, p503: 150, auto: 300, overhead: 10_000, memCSV: 50_000, memXLSX: 10_000, validate: 10_000}
)

type scenario struct {
	name string
	run  func(*bench) (result, error)
}

var scenarios = []scenario{
	{"rate", (*bench).rate},
	{"limit", (*bench).limit},
	{"p503", (*bench).p503},
	{"p503-half", (*bench).p503Half},
	{"auto", (*bench).auto},
	{"overhead", (*bench).overhead},
	{"memory-csv", (*bench).memoryCSV},
	{"memory-xlsx", (*bench).memoryXLSX},
	{"validate", (*bench).validate},
	{"xlsx-cost", (*bench).xlsxCost},
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == measureFlag {
		os.Exit(measure(os.Args[2:]))
	}
	which := flag.String("scenario", "all", "all, or a comma-separated list of: "+names())
	small := flag.Bool("quick", false, "small sizes: checks the harness, the figures are not the targets' sizes")
	keep := flag.Bool("keep", false, "keep the temporary folder with the inputs and outputs")
	bin := flag.String("bin", "", "use this sbimport binary instead of building ./cmd/sbimport")
	verbose := flag.Bool("v", false, "show the sbimport child's own output")
	flag.Parse()

	picked, err := pick(*which)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	b, err := newBench(*bin, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "bench: inputs and outputs are kept in", b.dir)
	} else {
		defer os.RemoveAll(b.dir)
	}
	b.n = full
	if *small {
		b.n = quick
		fmt.Println("-quick: small sizes; PASS/FAIL is against the full-size targets and only indicative")
	}
	fmt.Println(machine())
	failed := 0
	for _, s := range picked {
		fmt.Fprintf(os.Stderr, "bench: %s …\n", s.name)
		start := time.Now()
		r, err := s.run(b)
		if err != nil {
			r = result{name: s.name, figure: "error: " + err.Error()}
		}
		r.name = s.name
		fmt.Println(r.String())
		fmt.Fprintf(os.Stderr, "bench: %s took %s\n", s.name, time.Since(start).Round(time.Second))
		if !r.pass {
			failed++
		}
	}
	if failed > 0 {
		fmt.Printf("%d of %d scenarios FAIL\n", failed, len(picked))
		if !*keep {
			os.RemoveAll(b.dir) // os.Exit skips the deferred removal
		}
		os.Exit(1)
	}
	fmt.Printf("all %d scenarios PASS\n", len(picked))
}

func names() string {
	var n []string
	for _, s := range scenarios {
		n = append(n, s.name)
	}
	return strings.Join(n, ", ")
}

func pick(which string) ([]scenario, error) {
	if which == "all" || which == "" {
		return scenarios, nil
	}
	var out []scenario
	for _, name := range strings.Split(which, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, s := range scenarios {
			if s.name == name {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q; use all or one of %s", name, names())
		}
	}
	return out, nil
}

// result is one scenario's figure beside its target.
type result struct {
	name   string
	figure string
	target string
	pass   bool
}

func (r result) String() string {
	verdict := "FAIL"
	if r.pass {
		verdict = "PASS"
	}
	return fmt.Sprintf("%-12s %-4s  %s\n             target: %s", r.name, verdict, r.figure, r.target)
}

// machine describes the machine the figures were measured on.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		mem = ", " + strings.Join(strings.Fields(line), " ")
	}
	return fmt.Sprintf("machine: %s, %d CPUs%s", model, numCPU(), mem)
}
