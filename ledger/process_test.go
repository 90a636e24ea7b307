package ledger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary re-executes itself as a child process when helperEnv is
// set: another sbimport process using the same ledger.
const helperEnv = "SBIMPORT_LEDGER_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "reserve":
		os.Exit(helperReserve())
	case "loop":
		os.Exit(helperLoop())
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(3)
	}
}

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

func helperScope(l *Ledger) Scope {
	return Scope{Integration: l.Fingerprint("uuid"), Endpoint: "quote"}
}

// waitFor polls for a file until a deadline; false when it never came.
func waitFor(path string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// helperReserve reserves keys FROM..TO (stepping STEP, +1 or -1) in
// batches of 16 and prints "granted K" for each key granted.
func helperReserve() int {
	ctx := context.Background()
	l, err := Open(ctx, os.Getenv("LEDGER_PATH"), Options{BusyTimeout: time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Close()
	s := helperScope(l)
	run, err := l.BeginRun(ctx, RunInfo{Input: os.Getenv("LEDGER_FILE"), Endpoint: "quote", Integration: s.Integration})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if !waitFor(os.Getenv("LEDGER_GO"), time.Minute) {
		fmt.Fprintln(os.Stderr, "no start signal")
		return 1
	}
	from, to, step := envInt("LEDGER_FROM"), envInt("LEDGER_TO"), envInt("LEDGER_STEP")
	var claims []Claim
	var keys []int
	flush := func() error {
		ds, err := l.Reserve(ctx, run, s, claims, ReserveOptions{})
		for i, d := range ds {
			if d.Granted {
				fmt.Printf("granted %d\n", keys[i])
			}
		}
		claims, keys = claims[:0], keys[:0]
		return err
	}
	for k := from; k != to+step; k += step {
		claims = append(claims, Claim{Key: l.KeyHash(fmt.Sprintf("kund%d@example.se", k)), File: os.Getenv("LEDGER_FILE"), Row: k})
		keys = append(keys, k)
		if len(claims) == 16 {
			if err := flush(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	if err := flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// helperLoop reserves batches of 64 new keys, file "batch-N", printing
// "granted N" once Reserve of batch N has returned, until it is killed (or
// a minute has passed).
func helperLoop() int {
	ctx := context.Background()
	l, err := Open(ctx, os.Getenv("LEDGER_PATH"), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s := helperScope(l)
	run, err := l.BeginRun(ctx, RunInfo{Input: "loop", Endpoint: "quote", Integration: s.Integration})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	stop := time.Now().Add(time.Minute)
	for n := 0; time.Now().Before(stop); n++ {
		claims := make([]Claim, 64)
		for i := range claims {
			claims[i] = Claim{Key: l.KeyHash(fmt.Sprintf("k%d-%d", n, i)), File: fmt.Sprintf("batch-%d", n), Row: i}
		}
		if _, err := l.Reserve(ctx, run, s, claims, ReserveOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("granted %d\n", n)
	}
	return 0
}

func helperCmd(ctx context.Context, mode string, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode}, env...)...)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestTwoProcessesGrantEachKeyOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.db")
	openAt(t, path, Options{}).Close() // created before the race
	start := filepath.Join(dir, "go")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Keys 0..299 upwards and 100..399 downwards: 100..299 are in both.
	procs := []*exec.Cmd{
		helperCmd(ctx, "reserve", "LEDGER_PATH="+path, "LEDGER_GO="+start, "LEDGER_FILE=a.csv", "LEDGER_FROM=0", "LEDGER_TO=299", "LEDGER_STEP=1"),
		helperCmd(ctx, "reserve", "LEDGER_PATH="+path, "LEDGER_GO="+start, "LEDGER_FILE=b.csv", "LEDGER_FROM=399", "LEDGER_TO=100", "LEDGER_STEP=-1"),
	}
	outs := make([]strings.Builder, len(procs))
	for i, p := range procs {
		p.Stdout = &outs[i]
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(start, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	granted := make(map[int]int)
	for _, o := range outs {
		for _, line := range strings.Fields(strings.ReplaceAll(o.String(), "granted", "")) {
			k, err := strconv.Atoi(line)
			if err != nil {
				t.Fatalf("helper output %q", line)
			}
			granted[k]++
		}
	}
	for k := 0; k < 400; k++ {
		if granted[k] != 1 {
			t.Errorf("key %d granted %d times, want once", k, granted[k])
		}
	}
	l := openAt(t, path, Options{})
	var entries, keys int
	l.db.QueryRow("SELECT count(*), count(DISTINCT key_hash) FROM entries").Scan(&entries, &keys)
	if entries != 400 || keys != 400 {
		t.Errorf("the ledger holds %d entries of %d keys, want 400 of 400", entries, keys)
	}
}

func TestKilledProcessLeavesWholeBatchesOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := helperCmd(ctx, "loop", "LEDGER_PATH="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := make(map[string]bool)
	var mu sync.Mutex
	enough := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			reported["batch-"+strings.TrimPrefix(sc.Text(), "granted ")] = true
			if len(reported) == 5 {
				close(enough)
			}
			mu.Unlock()
		}
	}()
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the child reported no 5 batches within 2 minutes")
	}
	cmd.Process.Kill() // SIGKILL, somewhere in a batch
	cmd.Wait()

	l := openAt(t, path, Options{})
	var ok string
	l.db.QueryRow("PRAGMA integrity_check").Scan(&ok)
	if ok != "ok" {
		t.Fatalf("integrity_check after a kill: %s", ok)
	}
	rows, err := l.db.Query("SELECT file, count(*) FROM entries GROUP BY file")
	if err != nil {
		t.Fatal(err)
	}
	found := make(map[string]int)
	for rows.Next() {
		var f string
		var n int
		rows.Scan(&f, &n)
		found[f] = n
		if n != 64 {
			t.Errorf("%s has %d entries after the kill: a half-written batch", f, n)
		}
	}
	rows.Close()
	mu.Lock()
	defer mu.Unlock()
	for f := range reported {
		if found[f] != 64 {
			t.Errorf("%s was reported granted but holds %d entries", f, found[f])
		}
	}
	// The killed run's entries are unknown to anyone else: never granted.
	s := helperScope(l)
	run2 := beginRun(t, l, "again.csv", s)
	if ds := reserve(t, l, run2, s, ReserveOptions{}, "again.csv", "k0-0"); ds[0].Granted || ds[0].Reason != HeldUnknown {
		t.Errorf("a key the killed run reserved: %+v, want held back (unknown)", ds[0])
	}
}

func TestSeparateHandlesGrantEachKeyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	openAt(t, path, Options{}).Close()
	const workers, keys = 4, 200
	var mu sync.Mutex
	granted := make(map[int]int)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs <- reserveAll(path, w, keys, func(k int) {
				mu.Lock()
				granted[k]++
				mu.Unlock()
			})
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < keys; k++ {
		if granted[k] != 1 {
			t.Errorf("key %d granted %d times, want once", k, granted[k])
		}
	}
}

// reserveAll opens its own Ledger and reserves every key, starting at a
// different place per worker, in batches of 8.
func reserveAll(path string, w, keys int, grant func(int)) error {
	ctx := context.Background()
	l, err := Open(ctx, path, Options{BusyTimeout: time.Minute, Sync: SyncNormal})
	if err != nil {
		return err
	}
	defer l.Close()
	s := helperScope(l)
	run, err := l.BeginRun(ctx, RunInfo{Input: fmt.Sprint(w), Integration: s.Integration})
	if err != nil {
		return err
	}
	for i := 0; i < keys; i += 8 {
		var claims []Claim
		var ks []int
		for j := i; j < i+8 && j < keys; j++ {
			k := (j + w*keys/4) % keys
			claims = append(claims, Claim{Key: l.KeyHash(fmt.Sprint(k)), File: fmt.Sprint(w), Row: k})
			ks = append(ks, k)
		}
		ds, err := l.Reserve(ctx, run, s, claims, ReserveOptions{})
		if err != nil {
			return err
		}
		for n, d := range ds {
			if d.Granted {
				grant(ks[n])
			}
		}
	}
	return nil
}
