package importer

import (
	"testing"
	"time"
)

// testDeadline bounds every wait in these tests: far beyond what any of
// them needs on a busy machine, far short of go test's own 10 minutes, so
// a wrong change fails with a message instead of hanging.
const testDeadline = time.Minute

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

// waitClosed waits for done to be closed, failing after testDeadline.
func waitClosed(t testing.TB, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(testDeadline):
		t.Fatalf("waited %v for %s", testDeadline, what)
	}
}
