package importer

import (
	"math/rand/v2"
	"sync"
	"time"
)

// backoff is full jitter: a random wait in [0, min(cap, base·2^(attempt-1))),
// but never shorter than what the server asked for with Retry-After.
type backoff struct {
	Base, Cap time.Duration
	rand      func() float64
}

func (b backoff) Wait(attempt int, retryAfter time.Duration) time.Duration {
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
	d := time.Duration(r() * float64(ceil))
	return max(d, retryAfter)
}

// budget limits retries across the whole run, so a failing server is not
// hammered: each retry spends a token, each success earns back a fraction
// of one. When it is spent, rows that would be retried fail at once, with
// a reason that says so.
type budget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
	earn   float64
}

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
