package ledger

import (
	"errors"
	"fmt"
	"sort"
)

// Held is a group of claims held back for one reason in one scope: what
// the plan says before anything is sent ("12 customers already have a
// quote in campaign vinter-2026 (first 2026-11-26 from kunder.xlsx)").
type Held struct {
	Reason Reason
	Scope  string // the earlier entries' scope
	N      int
	First  *Entry // the earliest of the earlier entries
}

// Summarize groups the held-back decisions by reason and scope, in the
// order created, unknown, in-flight, not-within, then by scope name.
func Summarize(ds []Decision) []Held {
	idx := make(map[[2]string]int)
	var out []Held
	for _, d := range ds {
		if d.Granted || d.Earlier == nil {
			continue
		}
		k := [2]string{string(d.Reason), d.Earlier.Scope}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Held{Reason: d.Reason, Scope: d.Earlier.Scope})
		}
		h := &out[i]
		h.N++
		if h.First == nil || d.Earlier.When().Before(h.First.When()) {
			h.First = d.Earlier
		}
	}
	order := map[Reason]int{HeldCreated: 0, HeldUnknown: 1, HeldInFlight: 2, HeldNotWithin: 3}
	sort.SliceStable(out, func(a, b int) bool {
		if order[out[a].Reason] != order[out[b].Reason] {
			return order[out[a].Reason] < order[out[b].Reason]
		}
		return out[a].Scope < out[b].Scope
	})
	return out
}

// ErrCampaignName: a campaign name sbimport does not accept.
var ErrCampaignName = errors.New("invalid campaign name")

// CheckCampaign says whether name can name a campaign: 1 to 64 letters
// (a-z, A-Z), digits, '-', '_' or '.', starting with a letter or digit.
// Names are kept as given; "Vinter-2026" and "vinter-2026" are two
// campaigns.
func CheckCampaign(name string) error {
	if len(name) == 0 || len(name) > 64 {
		return fmt.Errorf("%w %q: 1 to 64 characters", ErrCampaignName, name)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (i > 0 && (r == '-' || r == '_' || r == '.'))
		if !ok {
			return fmt.Errorf("%w %q: letters a-z, digits, '-', '_' and '.' only, starting with a letter or digit", ErrCampaignName, name)
		}
	}
	return nil
}
