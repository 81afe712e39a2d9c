package nace_test

import (
	"testing"

	"github.com/kume-geo/kume/nace"
)

func TestMarket(t *testing.T) {
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code  string
		local bool
	}{
		{"47", true}, {"47.11", true}, {"4711", true}, {"56.10", true}, {"96.02", true}, {"43.22", true},
		{"10.71", true}, {"10.72", false}, {"10", false}, {"13.20", false}, {"62.01", false}, {"46.41", false},
		{"35.11", false}, {"35.13", true}, {"93.11", true}, {"93.21", false}, {"64.19", true}, {"64.20", false},
		{"55.10", false}, {"C", false}, {"G", false}, {"I", false}, {"P", true}, {"Q", true}, {"S", true},
		{"99.99", false}, {"", false},
	} {
		if got := tax.Market(c.code).Local; got != c.local {
			t.Errorf("Market(%q).Local = %v, want %v", c.code, got, c.local)
		}
		if tax.Traded(c.code) == c.local {
			t.Errorf("Traded(%q) disagrees with Market", c.code)
		}
	}
	if m := tax.Market("47.71"); m.Prefix != "47" || m.Category == "" {
		t.Errorf("Market(47.71) = %+v, want decided by 47 with a category", m)
	}
}

// Every division is classed, and the table's local divisions cover the
// activities that follow population that a planner would name first.
func TestMarketDivisions(t *testing.T) {
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	local := 0
	for _, d := range tax.All(nace.Division) {
		if tax.Market(d.Code).Local {
			local++
		}
	}
	if local < 20 || local > 40 {
		t.Errorf("%d of %d divisions local; the table should class roughly a third", local, len(tax.All(nace.Division)))
	}
}
