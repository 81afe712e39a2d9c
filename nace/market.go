package nace

import (
	_ "embed"
	"fmt"
	"strings"
)

// The traded/local table: see data/markets.tsv for its source and rules.
//
//go:embed data/markets.tsv
var marketTable string

// Market tells whether an activity is traded (sells across regions and
// concentrates in a few places) or local (serves the local market, so its
// firms follow population), after the U.S. Cluster Mapping Project's traded
// and local industries carried over to NACE Rev. 2 for kume.
type Market struct {
	Local bool
	// Category names the U.S. Cluster Mapping Project category the code's
	// entry corresponds to ("" for a code under no listed prefix).
	Category string
	// Prefix is the table entry that decided ("" when none did: traded).
	Prefix string
}

// loadMarkets parses the embedded traded/local table into t.markets.
func (t *Taxonomy) loadMarkets() error {
	t.markets = map[string]Market{}
	for i, line := range strings.Split(marketTable, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || (f[1] != "local" && f[1] != "traded") {
			return fmt.Errorf("nace: markets line %d: want code, local|traded, category", i+1)
		}
		if _, ok := t.index[f[0]]; !ok {
			return fmt.Errorf("nace: markets line %d: unknown code %q", i+1, f[0])
		}
		if _, dup := t.markets[f[0]]; dup {
			return fmt.Errorf("nace: markets line %d: %q listed twice", i+1, f[0])
		}
		t.markets[f[0]] = Market{Local: f[1] == "local", Category: f[2], Prefix: f[0]}
	}
	return nil
}

// Market returns whether code (any level, normalised or raw) is a traded or
// a local activity: the table's longest listed prefix of the code decides,
// and a code under no listed prefix is traded. A section is local when all
// its divisions are. Unknown codes are traded.
func (t *Taxonomy) Market(code string) Market {
	s, ok := t.Lookup(code)
	if !ok {
		return Market{}
	}
	if s.Level == Section {
		kids := t.Children(s.Code)
		for _, k := range kids {
			if !t.Market(k.Code).Local {
				return Market{}
			}
		}
		if len(kids) == 0 {
			return Market{}
		}
		return Market{Local: true, Category: "local divisions only", Prefix: s.Code}
	}
	for c := s.Code; c != ""; c = t.parentCode(c) {
		if m, ok := t.markets[c]; ok {
			return m
		}
	}
	return Market{}
}

// Traded reports whether code is a traded activity (see Market).
func (t *Taxonomy) Traded(code string) bool { return !t.Market(code).Local }

// parentCode returns the parent of a code below section level, "" for a
// division (sections are not listed in the table).
func (t *Taxonomy) parentCode(code string) string {
	s, ok := t.Lookup(code)
	if !ok || s.Level <= Division {
		return ""
	}
	return s.Parent
}
