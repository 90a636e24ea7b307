package importer

import (
	"math/rand/v2"
	"sync"
	"time"
)

// backoff is full jitter: a random wait in [0, min(cap, base·2^(attempt-1))),
// when the server did not say how long to wait. When it did (Retry-After),
// that is the wait: every retry goes through the run's rate limit anyway,
// which spreads them out, and a server failing most requests slows the
// whole run (see pacer), so waiting longer than asked only stretches the
// run's tail.
type backoff struct {
	Base, Cap time.Duration
	rand      func() float64
}

func (b backoff) Wait(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	ceil := b.Cap
	if attempt < 31 {
		if d := b.Base << (attempt - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	r := b.rand
	if r == nil {
		r = rand.Float64
	}
	return time.Duration(r() * float64(ceil))
}

// budget limits retries across the whole run, so a run does not spend
// itself on a server that fails more than it succeeds: each retry spends a
// token, each success earns some back. When it is spent, rows that would
// be retried fail at once, with a reason that says so (safe to send again).
// Retries go through the run's rate limit like first sends, so they never
// add load; the budget only decides when to give up.
type budget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
	earn   float64
}

// successEarns is what a success gives back to a run's retry budget: one
// retry, so a server failing up to half the requests is retried as long
// as the run lasts, and one failing more drains the budget.
const successEarns = 1.0

// runBudget is a run's retry budget: max retries to start with.
func runBudget(max float64) *budget { return newBudget(max, successEarns) }

func newBudget(max, earn float64) *budget {
	return &budget{tokens: max, max: max, earn: earn}
}

// Spend takes a token for one retry; false when the budget is spent.
func (b *budget) Spend() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Earn credits a success.
func (b *budget) Earn() {
	b.mu.Lock()
	b.tokens = min(b.max, b.tokens+b.earn)
	b.mu.Unlock()
}
