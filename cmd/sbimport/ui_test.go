package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ui"
)

func TestUIPrintsItsAddressFirstAndServesIt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb strings.Builder
	state := t.TempDir()
	s := streams{In: strings.NewReader(""), Out: pw, Err: &errb, Getenv: func(k string) string {
		if k == "XDG_STATE_HOME" {
			return state
		}
		return ""
	}}
	code := make(chan int, 1)
	go func() { code <- execute(ctx, []string{"ui", "--no-browser"}, s); pw.Close() }()
	lines := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(pr).ReadString('\n')
		lines <- l
		io.Copy(io.Discard, pr)
	}()
	var first string
	select {
	case first = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("sbimport ui printed nothing within 30 s")
	}
	addr := strings.TrimSpace(strings.TrimPrefix(first, "Open "))
	base, tok, ok := strings.Cut(addr, "/#token=")
	if !strings.HasPrefix(first, "Open http://127.0.0.1:") || !ok || len(tok) < 32 || strings.Contains(addr, "?") {
		t.Fatalf("first line = %q, want the address with the token in its fragment (#token=)", first)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	get := func(path, token string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set(ui.TokenHeader, token)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	if res, b := get("/", ""); res.StatusCode != http.StatusOK || !strings.Contains(b, "sbimport") || len(res.Cookies()) > 0 {
		t.Fatalf("the page = %d, cookies %v", res.StatusCode, res.Cookies())
	}
	if res, _ := get("/api/state", ""); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the API without the token = %d, want 403", res.StatusCode)
	}
	if res, b := get("/api/state", tok); res.StatusCode != http.StatusOK {
		t.Fatalf("the API with the printed token = %d: %s", res.StatusCode, b)
	}
	cancel()
	select {
	case got := <-code:
		if got != 0 {
			t.Fatalf("exit %d: %s", got, errb.String())
		}
		if !strings.Contains(errb.String(), state) {
			t.Errorf("stderr does not say where runs are kept (%s): %s", state, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sbimport ui did not stop within 30 s of its context ending")
	}
}

func TestUIRefusesANonLoopbackAddress(t *testing.T) {
	code, stdout, stderr := (&cli{t: t}).run("ui", "--no-browser", "--addr", "0.0.0.0:0")
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "loopback") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
