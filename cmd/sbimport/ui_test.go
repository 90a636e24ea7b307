package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
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
	if !strings.HasPrefix(first, "Open http://127.0.0.1:") || !strings.Contains(first, "/?token=") {
		t.Fatalf("first line = %q", first)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := c.Get(strings.TrimSpace(strings.TrimPrefix(first, "Open ")))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "sbimport") || strings.Contains(res.Request.URL.String(), "token") {
		t.Fatalf("the page = %d at %s", res.StatusCode, res.Request.URL)
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
