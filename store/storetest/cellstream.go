package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kume-geo/kume"
)

// assertCellStream checks that a store's EachCellStat gives the statistics
// its CellStats gave (want), in order, and that an error of fn stops the
// stream and comes back.
func assertCellStream(t testing.TB, what string, s kume.AnalysisStore, f kume.CellFilter, want []kume.CellStat) {
	t.Helper()
	cs, ok := s.(kume.CellStreamer)
	if !ok {
		return
	}
	var got []kume.CellStat
	err := cs.EachCellStat(t.Context(), f, func(c *kume.CellStat) error {
		got = append(got, cloneCellStat(*c))
		return nil
	})
	must(t, err, "EachCellStat")
	if len(got) != len(want) {
		t.Errorf("%s: EachCellStat gave %d cells, CellStats %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !reflect.DeepEqual(normalizeCellStat(got[i]), normalizeCellStat(want[i])) {
			t.Errorf("%s: EachCellStat cell %d:\n got %s\nwant %s", what, i, formatCell(got[i]), formatCell(want[i]))
		}
	}
	if len(want) == 0 {
		return
	}
	stop := errors.New("stop")
	n := 0
	err = cs.EachCellStat(t.Context(), f, func(*kume.CellStat) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("%s: EachCellStat after fn's error: %d calls, error %v; want 1 call and fn's error", what, n, err)
	}
}

// cloneCellStat copies a statistic and what it points to.
func cloneCellStat(c kume.CellStat) kume.CellStat {
	cp := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		v := *p
		return &v
	}
	c.LQ, c.GiZ, c.GiP = cp(c.LQ), cp(c.GiZ), cp(c.GiP)
	if c.Institutions != nil {
		m := make(map[kume.InstitutionType]int, len(c.Institutions))
		for k, v := range c.Institutions {
			m[k] = v
		}
		c.Institutions = m
	}
	return c
}
