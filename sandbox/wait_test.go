package sandbox

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// testDeadline bounds every wait in these tests: far beyond what any of
// them needs on a busy machine, far short of go test's own 10 minutes, so
// a wrong change fails with a message instead of hanging.
const testDeadline = time.Minute

// testClient is the tests' HTTP client: with a timeout, unlike
// http.DefaultClient, so a request that never ends fails the test.
var testClient = &http.Client{Timeout: 2 * testDeadline}

// waitFor polls until cond holds, failing the test after testDeadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", testDeadline, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitGroup waits for wg, failing the test after testDeadline.
func waitGroup(t testing.TB, what string, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testDeadline):
		t.Fatalf("waited %v for %s", testDeadline, what)
	}
}
