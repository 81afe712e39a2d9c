package geo

import (
	"cmp"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
)

// recorder is a CellSink that keeps copies of the batches it is given.
type recorder struct {
	begun   int
	rows    int
	batches [][]kume.CellStat
	failAt  int // fail the failAt-th batch (1-based); 0 never
}

func (r *recorder) Begin(rows int) error {
	r.begun++
	r.rows = rows
	return nil
}

var errSink = errors.New("sink full")

func (r *recorder) Write(cells []kume.CellStat) error {
	if len(r.batches)+1 == r.failAt {
		return errSink
	}
	// The values the rows point to are reused: keep copies (as collector does).
	var c collector
	if err := c.Write(cells); err != nil {
		return err
	}
	r.batches = append(r.batches, c.cells)
	return nil
}

func streamCmp(a, b *kume.CellStat) int {
	return cmp.Or(cmp.Compare(a.Res, b.Res), strings.Compare(a.Sector, b.Sector), cmp.Compare(a.Cell, b.Cell))
}

// TestAnalyzeToStreamsTheRowsOfAnalyze checks that the streamed batches,
// joined, are Analyze's cells in (resolution, sector, cell) order, that
// batches keep to the row budget unless one key alone is larger, and that the
// rest of the result is the same.
func TestAnalyzeToStreamsTheRowsOfAnalyze(t *testing.T) {
	s := newSynth(20000, 3)
	p := DefaultParams()
	want, err := Analyze(context.Background(), s.input(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	bud := budget{lists: 2000, rows: 3000}
	got, err := analyze(context.Background(), s.input(), p, nil, &rec, bud)
	if err != nil {
		t.Fatal(err)
	}
	if rec.begun != 1 || rec.rows != len(want.Cells) {
		t.Fatalf("Begin called %d times with %d rows; want once with %d", rec.begun, rec.rows, len(want.Cells))
	}
	if len(got.Cells) != 0 {
		t.Errorf("a streamed result holds %d cells", len(got.Cells))
	}
	var all []kume.CellStat
	for i, b := range rec.batches {
		if len(b) == 0 {
			t.Errorf("batch %d is empty", i)
		}
		if len(b) > bud.rows {
			// Only a single (resolution, sector) group may exceed the budget.
			if b[0].Res != b[len(b)-1].Res || b[0].Sector != b[len(b)-1].Sector {
				t.Errorf("batch %d: %d rows of several keys, budget %d", i, len(b), bud.rows)
			}
		}
		all = append(all, b...)
	}
	if len(rec.batches) < 10 {
		t.Errorf("only %d batches with a budget of %d rows for %d rows", len(rec.batches), bud.rows, len(all))
	}
	for i := 1; i < len(all); i++ {
		if streamCmp(&all[i-1], &all[i]) >= 0 {
			t.Fatalf("row %d (%d %q %x) does not follow row %d (%d %q %x)", i, all[i].Res, all[i].Sector, all[i].Cell,
				i-1, all[i-1].Res, all[i-1].Sector, all[i-1].Cell)
		}
	}
	got.Cells = all
	if h, w := resultHash(got), resultHash(want); h != w {
		t.Errorf("streamed result hash %s, Analyze's %s", h, w)
	}
	if !reflect.DeepEqual(got.Regions, want.Regions) || len(got.Clusters) != len(want.Clusters) {
		t.Error("streamed run's clusters or regions differ from Analyze's")
	}
}

// TestAnalyzeToSinkError checks that a sink's error ends the run with it.
func TestAnalyzeToSinkError(t *testing.T) {
	s := newSynth(5000, 4)
	rec := recorder{failAt: 3}
	_, err := analyze(context.Background(), s.input(), DefaultParams(), nil, &rec, budget{lists: 500, rows: 500})
	if !errors.Is(err, errSink) {
		t.Fatalf("error %v, want the sink's", err)
	}
	if len(rec.batches) != 2 {
		t.Errorf("%d batches kept before the failing one, want 2", len(rec.batches))
	}
}

// TestAnalyzeToCanceled checks that a canceled run returns, sink or not.
func TestAnalyzeToCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var rec recorder
	progress := func(stage string, done, total int) {
		if stage == "cells" {
			cancel()
		}
	}
	_, err := analyze(ctx, newSynth(20000, 5).input(), DefaultParams(), progress, &rec, budget{lists: 2000, rows: 2000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}
