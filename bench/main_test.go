package main

import (
	"testing"
	"time"
)

func TestPick(t *testing.T) {
	all, err := pick("all")
	if err != nil || len(all) != len(scenarios) {
		t.Fatalf("pick(all) = %d scenarios, %v; want %d", len(all), err, len(scenarios))
	}
	two, err := pick("validate, rate")
	if err != nil || len(two) != 2 || two[0].name != "validate" || two[1].name != "rate" {
		t.Fatalf("pick(validate, rate) = %v, %v", two, err)
	}
	if _, err := pick("speed"); err == nil {
		t.Fatal("pick(speed): want an error naming the scenarios")
	}
}

// The converged rate is measured from the middle of the run to the last
// sample that still saw creations, so idle samples after the run do not
// lower it.
func TestSecondHalfRate(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var s []sample
	for i := 0; i <= 20; i++ { // 10 s at 5/s, then 10 s at 20/s
		created := int64(min(i, 10)*5/2*1 + max(i-10, 0)*10)
		s = append(s, sample{at: t0.Add(time.Duration(i) * 500 * time.Millisecond * 2), created: created})
	}
	for i := 0; i < 5; i++ { // idle after the run
		s = append(s, sample{at: t0.Add(time.Duration(21+i) * time.Second), created: s[len(s)-1].created})
	}
	got := secondHalfRate(s)
	// samples 0..20 are 1 s apart; the middle of 21 samples is sample 10
	// (created 25), the last is sample 20 (created 125): 100 in 10 s.
	if got != 10 {
		t.Fatalf("secondHalfRate = %v, want 10", got)
	}
	if r := secondHalfRate(s[:2]); r != 0 {
		t.Fatalf("secondHalfRate of 2 samples = %v, want 0", r)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1000000: "1,000,000", 200000: "200,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
