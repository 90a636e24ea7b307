package explain

import (
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/salesbyte"
)

func TestHeld(t *testing.T) {
	first := &ledger.Entry{File: "/home/anna/kunder.xlsx", Reserved: time.Date(2026, 11, 26, 12, 0, 0, 0, time.Local)}
	q := NounFor(salesbyte.Quote)
	for _, c := range []struct {
		h    ledger.Held
		want string
	}{
		{ledger.Held{Reason: ledger.HeldCreated, Scope: "campaign:vinter-2026", N: 12, First: first},
			"12 customers already have a quote in campaign vinter-2026 (first 2026-11-26 from kunder.xlsx); not sent again"},
		{ledger.Held{Reason: ledger.HeldCreated, Scope: "endpoint:quote", N: 1, First: first},
			"1 customer already has a quote through the quote endpoint (first 2026-11-26 from kunder.xlsx); not sent again"},
		{ledger.Held{Reason: ledger.HeldInFlight, Scope: "endpoint:quote", N: 3, First: first},
			"3 customers are being sent through the quote endpoint by another run right now (first 2026-11-26 from kunder.xlsx); not sent"},
		{ledger.Held{Reason: ledger.HeldNotWithin, Scope: "endpoint:lead", N: 1_200, First: first},
			"1,200 customers got something from this integration too recently (first 2026-11-26 from kunder.xlsx); not sent (the not-within rule)"},
	} {
		if got := Held(q, c.h); got != c.want {
			t.Errorf("Held(%+v)\n got %q\nwant %q", c.h, got, c.want)
		}
	}
}
