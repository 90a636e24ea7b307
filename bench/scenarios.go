package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sbimport/sbimport/bench/gen"
	"github.com/sbimport/sbimport/sandbox"
)

// sandboxUUID is the integration uuid `sbimport sandbox` accepts; the
// in-process sandboxes accept it too. It opens nothing real.
const sandboxUUID = "00000000-0000-4000-8000-5a4db0c5a4db"

type bench struct {
	dir     string // temporary folder for inputs and outputs
	bin     string // the sbimport binary
	mapping string
	verbose bool
	n       sizes
	inputs  map[string]string // generated inputs by name, made once
	runs    int
}

func numCPU() int { return runtime.NumCPU() }

func newBench(bin string, verbose bool) (*bench, error) {
	dir, err := os.MkdirTemp("", "sbimport-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir, bin: bin, verbose: verbose, inputs: map[string]string{}}
	b.mapping = filepath.Join(dir, "mapping.yaml")
	if err := gen.WriteFile(b.mapping, gen.Mapping); err != nil {
		return nil, err
	}
	if b.bin == "" {
		b.bin = filepath.Join(dir, "sbimport")
		fmt.Fprintln(os.Stderr, "bench: building ./cmd/sbimport …")
		build := exec.Command("go", "build", "-o", b.bin, "./cmd/sbimport")
		build.Dir, err = moduleRoot()
		if err != nil {
			return nil, err
		}
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/sbimport: %w", err)
		}
	}
	return b, nil
}

// moduleRoot is the folder holding go.mod, so the bench runs from anywhere
// inside the module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the bench inside the sbimport module (go run ./bench from the repository root)")
	}
	return filepath.Dir(mod), nil
}

// input generates (once) a sheet of n customers, kind "csv" or "xlsx".
func (b *bench) input(kind string, n int) (string, error) {
	name := fmt.Sprintf("kunder-%d.%s", n, kind)
	if p, ok := b.inputs[name]; ok {
		return p, nil
	}
	p := filepath.Join(b.dir, name)
	start := time.Now()
	var err error
	if kind == "xlsx" {
		err = gen.WriteXLSXFile(p, n)
	} else {
		err = gen.WriteCSVFile(p, n)
	}
	if err != nil {
		return "", fmt.Errorf("generate %s: %w", name, err)
	}
	st, _ := os.Stat(p)
	fmt.Fprintf(os.Stderr, "bench: generated %s (%.1f MB) in %s\n", name, float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	b.inputs[name] = p
	return p, nil
}

// child is one finished sbimport process.
type child struct {
	wall   time.Duration
	maxRSS int64 // bytes
	code   int
	stderr string
}

// sbimport runs the binary with args and waits for it. Every run writes
// to its own output (so no journal of an earlier run is replayed).
//
// The binary is started through a small copy of this program (measure):
// Linux counts in a child's peak RSS the memory of the process it was
// forked from, and this one holds in-process sandboxes and generated
// inputs; the helper is a few MB.
func (b *bench) sbimport(args ...string) (child, error) {
	self, err := os.Executable()
	if err != nil {
		return child{}, err
	}
	cmd := exec.Command(self, append([]string{measureFlag, b.bin}, args...)...)
	// Each run has a ledger of its own (a fresh sandbox each time would
	// otherwise find every customer already sent), never the user's.
	ledgerDir, err := os.MkdirTemp(b.dir, "ledger-")
	if err != nil {
		return child{}, err
	}
	cmd.Env = append(os.Environ(), "SALESBYTE_UUID="+sandboxUUID, "SBIMPORT_LEDGER="+filepath.Join(ledgerDir, "ledger.db"))
	var errBuf, outBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if b.verbose {
		cmd.Stderr = io.MultiWriter(&errBuf, os.Stderr)
	}
	cmd.Stdout = &outBuf
	if err := cmd.Run(); err != nil {
		return child{stderr: errBuf.String()}, fmt.Errorf("measure %s: %w: %s", b.bin, err, tail(errBuf.String()))
	}
	c := child{stderr: errBuf.String()}
	var wall int64
	if _, err := fmt.Sscan(outBuf.String(), &wall, &c.maxRSS, &c.code); err != nil {
		return c, fmt.Errorf("measure %s: unreadable report %q", b.bin, outBuf.String())
	}
	c.wall = time.Duration(wall)
	return c, nil
}

const measureFlag = "-measure-child"

// measure runs args[0] with args[1:], its output on stderr, and prints
// "<wall ns> <peak RSS bytes> <exit code>" on stdout.
func measure(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "bench: start", args[0]+":", err)
		return 2
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) * 1024 // Linux reports kilobytes
	}
	fmt.Println(int64(wall), rss, cmd.ProcessState.ExitCode())
	return 0
}

// output is a fresh output path for one run.
func (b *bench) output(ext string) string {
	b.runs++
	d := filepath.Join(b.dir, "run"+strconv.Itoa(b.runs))
	os.MkdirAll(d, 0o755)
	return filepath.Join(d, "result."+ext)
}

// send runs `sbimport run` of input against url and checks that every
// row was created.
func (b *bench) send(input, url string, rate float64, rows int, extra ...string) (child, error) {
	ext := strings.TrimPrefix(filepath.Ext(input), ".")
	args := append([]string{"run", "-m", b.mapping, "-i", input, "-o", b.output(ext),
		"--base-url", url, "--rate", strconv.FormatFloat(rate, 'f', -1, 64), "--yes"}, extra...)
	c, err := b.sbimport(args...)
	if err != nil {
		return c, err
	}
	if c.code != 0 {
		return c, fmt.Errorf("sbimport run exited %d: %s", c.code, tail(c.stderr))
	}
	return c, nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}

// inProcess starts a sandbox in this process.
func inProcess(opts sandbox.Options) (*sandbox.Server, string, error) {
	opts.UUIDs = []string{sandboxUUID}
	srv, err := sandbox.New(opts)
	if err != nil {
		return nil, "", err
	}
	url, err := srv.Start("")
	if err != nil {
		return nil, "", err
	}
	return srv, url, nil
}

// sample is the server's counters at one moment.
type sample struct {
	at      time.Time
	created int64
}

// sampler polls a server's counters every 500 ms until stopped.
func sampler(srv *sandbox.Server) (stop func() []sample) {
	var mu sync.Mutex
	var out []sample
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				st := srv.Stats()
				mu.Lock()
				out = append(out, sample{at: now, created: st.Created})
				mu.Unlock()
			}
		}
	}()
	return func() []sample {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return out
	}
}

// rate: 1 s latency, --rate 50, automatic concurrency.
func (b *bench) rate() (result, error) {
	r := result{target: "49–50.5 requests/s at the server (--rate 50, 1 s latency, concurrency sized automatically)"}
	in, err := b.input("csv", b.n.rate)
	if err != nil {
		return r, err
	}
	srv, url, err := inProcess(sandbox.Options{Latency: time.Second})
	if err != nil {
		return r, err
	}
	defer srv.Close()
	c, err := b.send(in, url, 50, b.n.rate)
	if err != nil {
		return r, err
	}
	st := srv.Stats()
	r.figure = fmt.Sprintf("%.2f requests/s at the server (%d rows, %d created, max %d in flight, run took %s)",
		st.Rate, b.n.rate, st.Created, st.MaxInFlight, c.wall.Round(100*time.Millisecond))
	r.pass = st.Rate >= 49 && st.Rate <= 50.5 && st.Created == int64(b.n.rate)
	return r, nil
}

// limit: the server accepts 20/s, the run asks for 50/s.
func (b *bench) limit() (result, error) {
	const serverLimit = 20.0
	r := result{target: fmt.Sprintf("converge to the server's limit (%.0f/s, here: ≥ 90%% of it in the second half of the run) with < 5%% of requests answered 429", serverLimit)}
	in, err := b.input("csv", b.n.limit)
	if err != nil {
		return r, err
	}
	srv, url, err := inProcess(sandbox.Options{RateLimit: serverLimit, Latency: 100 * time.Millisecond})
	if err != nil {
		return r, err
	}
	defer srv.Close()
	stop := sampler(srv)
	_, err = b.send(in, url, 50, b.n.limit)
	samples := stop()
	if err != nil {
		return r, err
	}
	st := srv.Stats()
	share := float64(st.TooMany) / float64(max(st.Requests, 1))
	span := st.LastRequest.Sub(st.FirstRequest).Seconds()
	accepted := float64(st.Created) / max(span, 0.001)
	late := secondHalfRate(samples)
	r.figure = fmt.Sprintf("%.2f created/s in the second half, %.2f created/s overall; %d of %d requests answered 429 (%.2f%%); %d rows, %d created",
		late, accepted, st.TooMany, st.Requests, 100*share, b.n.limit, st.Created)
	r.pass = share < 0.05 && late >= 0.9*serverLimit && st.Created == int64(b.n.limit)
	return r, nil
}

// secondHalfRate is the creation rate between the middle of the run and
// its last sample that still saw creations.
func secondHalfRate(s []sample) float64 {
	for len(s) > 1 && s[len(s)-1].created == s[len(s)-2].created {
		s = s[:len(s)-1] // the run had finished
	}
	if len(s) < 4 {
		return 0
	}
	mid, last := s[len(s)/2], s[len(s)-1]
	d := last.at.Sub(mid.at).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(last.created-mid.created) / d
}

// overhead: zero latency, no limit, --rate 0, journal on.
func (b *bench) overhead() (result, error) {
	r := result{target: "≥ 5,000 rows/s end to end (sbimport run wall time: read, plan, map, journal, send, write)"}
	in, err := b.input("csv", b.n.overhead)
	if err != nil {
		return r, err
	}
	srv, url, err := inProcess(sandbox.Options{})
	if err != nil {
		return r, err
	}
	defer srv.Close()
	c, err := b.send(in, url, 0, b.n.overhead)
	if err != nil {
		return r, err
	}
	st := srv.Stats()
	perSec := float64(b.n.overhead) / c.wall.Seconds()
	r.figure = fmt.Sprintf("%.0f rows/s (%d rows in %s, %d created, peak RSS %s)",
		perSec, b.n.overhead, c.wall.Round(10*time.Millisecond), st.Created, mb(c.maxRSS))
	r.pass = perSec >= 5000 && st.Created == int64(b.n.overhead)
	return r, nil
}

func (b *bench) memoryCSV() (result, error) {
	return b.memory("csv", b.n.memCSV, 150)
}

func (b *bench) memoryXLSX() (result, error) {
	return b.memory("xlsx", b.n.memXLSX, 250)
}

// memory: peak RSS of `sbimport run` against a sandbox in another process.
func (b *bench) memory(kind string, rows int, limitMB float64) (result, error) {
	r := result{target: fmt.Sprintf("peak RSS < %.0f MB for %s rows of %s, reading and writing included", limitMB, thousands(rows), strings.ToUpper(kind))}
	in, err := b.input(kind, rows)
	if err != nil {
		return r, err
	}
	sb, err := b.startSandbox()
	if err != nil {
		return r, err
	}
	defer sb.stop()
	c, err := b.send(in, sb.url, 0, rows)
	if err != nil {
		return r, err
	}
	st, err := sb.stats()
	if err != nil {
		return r, err
	}
	r.figure = fmt.Sprintf("peak RSS %s (%d rows in %s, %.0f rows/s, %d created)",
		mb(c.maxRSS), rows, c.wall.Round(100*time.Millisecond), float64(rows)/c.wall.Seconds(), st.Created)
	r.pass = float64(c.maxRSS) < limitMB*1e6 && st.Created == int64(rows)
	return r, nil
}

// validate: `sbimport validate` of a CSV.
func (b *bench) validate() (result, error) {
	r := result{target: fmt.Sprintf("sbimport validate of %s rows in < 2 s (wall time of the process)", thousands(b.n.validate))}
	in, err := b.input("csv", b.n.validate)
	if err != nil {
		return r, err
	}
	c, err := b.sbimport("validate", "-m", b.mapping, "-i", in, "-o", b.output("csv"))
	if err != nil {
		return r, err
	}
	if c.code != 0 {
		return r, fmt.Errorf("sbimport validate exited %d: %s", c.code, tail(c.stderr))
	}
	r.figure = fmt.Sprintf("%s (%d rows, %.0f rows/s, peak RSS %s)", c.wall.Round(time.Millisecond), b.n.validate, float64(b.n.validate)/c.wall.Seconds(), mb(c.maxRSS))
	r.pass = c.wall < 2*time.Second
	return r, nil
}

func mb(bytes int64) string { return fmt.Sprintf("%.1f MB", float64(bytes)/1e6) }

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sandboxProc is `sbimport sandbox` running as a child process, so its
// memory is not counted in the importer's.
type sandboxProc struct {
	cmd *exec.Cmd
	url string
}

func (b *bench) startSandbox() (*sandboxProc, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(b.bin, "sandbox", "--addr", addr)
	if b.verbose {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &sandboxProc{cmd: cmd, url: "http://" + addr}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := p.stats(); err == nil {
			return p, nil
		}
	}
	p.stop()
	return nil, fmt.Errorf("sbimport sandbox did not answer on %s within 10 s", addr)
}

func (p *sandboxProc) stats() (sandbox.Stats, error) {
	var st sandbox.Stats
	resp, err := http.Get(p.url + "/_sandbox/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("sandbox stats: HTTP %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (p *sandboxProc) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}
