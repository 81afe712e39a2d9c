package storetest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
)

// streamOrder is the order AnalysisWriter.WriteCells takes cells in.
func streamOrder(a, b kume.CellStat) int {
	return cmp.Or(cmp.Compare(a.Res, b.Res), strings.Compare(a.Sector, b.Sector), cmp.Compare(a.Cell, b.Cell))
}

// streamed returns the fixture's cells in stream order, deep enough copies
// that the test may scribble over them after handing them to a writer.
func streamed(r *kume.AnalysisResult) []kume.CellStat {
	out := slices.Clone(r.Cells)
	slices.SortFunc(out, streamOrder)
	return out
}

// writeBatches writes cells in batches of size n, overwriting every batch
// with garbage after WriteCells returns: a writer that kept the caller's
// memory would store the garbage.
func writeBatches(t *testing.T, ctx context.Context, w kume.AnalysisWriter, cells []kume.CellStat, n int) {
	t.Helper()
	buf := make([]kume.CellStat, n)
	for lo := 0; lo < len(cells); lo += n {
		b := buf[:copy(buf, cells[lo:min(lo+n, len(cells))])]
		must(t, w.WriteCells(ctx, b), "WriteCells")
		for i := range b {
			bad := 12345.0
			b[i] = kume.CellStat{Res: 1, Sector: "garbage", Firms: -7, LQ: &bad}
		}
	}
}

func streamer(t *testing.T, s kume.Store) kume.AnalysisStreamer {
	t.Helper()
	st, ok := s.(kume.AnalysisStreamer)
	if !ok {
		t.Fatalf("%T does not implement kume.AnalysisStreamer", s)
	}
	return st
}

// testAnalysisStream checks saving an analysis batch by batch: the result
// reads back as SaveAnalysis would have stored it, readers see the previous
// version until Commit, and an aborted or rejected stream changes nothing.
func testAnalysisStream(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	st := streamer(t, s)

	first := syntheticAnalysis(1, 5)
	v1, err := s.SaveAnalysis(ctx, first)
	must(t, err, "SaveAnalysis")

	r := AnalysisResult()
	cells := streamed(r)
	w, err := st.BeginAnalysis(ctx, len(cells))
	must(t, err, "BeginAnalysis")
	defer w.Abort()
	writeBatches(t, ctx, w, cells[:4], 3)
	// Mid-stream, readers see the first version.
	run, err := s.LatestAnalysis(ctx)
	must(t, err, "LatestAnalysis mid-stream")
	if run.Version != v1 {
		t.Errorf("LatestAnalysis mid-stream = version %d, want %d", run.Version, v1)
	}
	assertCells(t, "mid-stream", s, kume.CellFilter{Res: 9}, first.Cells)
	writeBatches(t, ctx, w, cells[4:], 2)
	r.Cells = nil
	v2, err := w.Commit(ctx, r)
	must(t, err, "Commit")
	if v2 <= v1 || r.Run.Version != v2 {
		t.Errorf("Commit returned %d and set Run.Version %d after version %d", v2, r.Run.Version, v1)
	}
	w.Abort() // after Commit: nothing happens
	want := AnalysisResult()
	t.Run("CellStats", func(t *testing.T) { testCellStats(t, s, want, v2) })
	t.Run("Clusters", func(t *testing.T) { testClusters(t, s, want, v2) })
	t.Run("RegionStats", func(t *testing.T) { testRegionStats(t, s, want, v2) })

	// Streams that end without a commit leave version v2 as it was.
	unchanged := func(what string) {
		t.Helper()
		run, err := s.LatestAnalysis(ctx)
		must(t, err, what+": LatestAnalysis")
		if run.Version != v2 {
			t.Errorf("%s: current version %d, want %d", what, run.Version, v2)
		}
		assertCells(t, what, s, kume.CellFilter{Res: 9}, pickCells(want, 9, kume.SectorAll))
	}
	t.Run("Abort", func(t *testing.T) {
		w, err := st.BeginAnalysis(ctx, 10)
		must(t, err, "BeginAnalysis")
		writeBatches(t, ctx, w, streamed(syntheticAnalysis(3, 10))[:6], 4)
		w.Abort()
		w.Abort()
		unchanged("after Abort")
	})
	t.Run("TooFewCells", func(t *testing.T) {
		w, err := st.BeginAnalysis(ctx, 10)
		must(t, err, "BeginAnalysis")
		defer w.Abort()
		next := syntheticAnalysis(4, 10)
		writeBatches(t, ctx, w, streamed(next)[:9], 4)
		next.Cells = nil
		if _, err := w.Commit(ctx, next); err == nil {
			t.Error("Commit of 9 cells after BeginAnalysis(10) succeeded")
		}
		unchanged("after a short stream")
	})
	t.Run("TooManyCells", func(t *testing.T) {
		w, err := st.BeginAnalysis(ctx, 2)
		must(t, err, "BeginAnalysis")
		defer w.Abort()
		c := streamed(syntheticAnalysis(5, 3))
		err = w.WriteCells(ctx, c[:2])
		if err == nil {
			err = w.WriteCells(ctx, c[2:])
		}
		if err == nil {
			next := syntheticAnalysis(5, 0)
			_, err = w.Commit(ctx, next)
		}
		if err == nil {
			t.Error("3 cells after BeginAnalysis(2) were committed")
		}
		unchanged("after a long stream")
	})
	t.Run("OutOfOrder", func(t *testing.T) {
		c := streamed(syntheticAnalysis(6, 4))
		for name, batches := range map[string][][]kume.CellStat{
			"WithinABatch":  {{c[1], c[0]}},
			"AcrossBatches": {{c[2], c[3]}, {c[0], c[1]}},
			"Repeated":      {{c[0], c[1]}, {c[1], c[2]}},
		} {
			w, err := st.BeginAnalysis(ctx, 4)
			must(t, err, "BeginAnalysis")
			for _, b := range batches {
				if err = w.WriteCells(ctx, b); err != nil {
					break
				}
			}
			if err == nil {
				t.Errorf("%s: cells out of order were accepted", name)
			}
			w.Abort()
		}
		unchanged("after cells out of order")
	})
	t.Run("NotACell", func(t *testing.T) {
		// Cells the stores cannot key by their H3 parent, streamed and saved
		// whole: EINVALID, nothing saved.
		c := streamed(syntheticAnalysis(9, 3))
		for name, bad := range map[string]kume.CellStat{
			"NotH3":         {Res: 9, Cell: 12345, Sector: kume.SectorAll},
			"OtherRes":      {Res: 8, Cell: c[0].Cell, Sector: kume.SectorAll},
			"DigitOf7":      {Res: 9, Cell: c[2].Cell | 7<<(3*(15-9)), Sector: kume.SectorAll},
			"TopBit":        {Res: 9, Cell: c[2].Cell | 1<<63, Sector: kume.SectorAll},
			"OutOfRangeRes": {Res: 16, Cell: c[2].Cell, Sector: kume.SectorAll},
		} {
			cells := append(slices.Clone(c[:2]), bad)
			slices.SortFunc(cells, streamOrder)
			w, err := st.BeginAnalysis(ctx, len(cells))
			must(t, err, "BeginAnalysis")
			err = w.WriteCells(ctx, cells)
			if err == nil {
				_, err = w.Commit(ctx, syntheticAnalysis(9, 0))
			}
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Errorf("%s: stream: %v, want %s", name, err, kume.EINVALID)
			}
			w.Abort()
			r := syntheticAnalysis(9, 0)
			r.Cells = cells
			if _, err := s.SaveAnalysis(ctx, r); kume.ErrorCode(err) != kume.EINVALID {
				t.Errorf("%s: SaveAnalysis: %v, want %s", name, err, kume.EINVALID)
			}
		}
		unchanged("after cells that are not cells")
	})
	t.Run("Canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		w, err := st.BeginAnalysis(cctx, 10)
		must(t, err, "BeginAnalysis")
		defer w.Abort()
		c := streamed(syntheticAnalysis(7, 10))
		must(t, w.WriteCells(cctx, c[:5]), "WriteCells")
		cancel()
		err = w.WriteCells(cctx, c[5:])
		if err == nil {
			next := syntheticAnalysis(7, 0)
			_, err = w.Commit(cctx, next)
		}
		if err == nil {
			t.Error("a canceled stream was committed")
		}
		w.Abort()
		unchanged("after a canceled stream")
	})
	// A stream after all those still saves.
	last := syntheticAnalysis(8, 20)
	w, err = st.BeginAnalysis(ctx, len(last.Cells))
	must(t, err, "BeginAnalysis after failed streams")
	writeBatches(t, ctx, w, streamed(last), 7)
	wantCells := slices.Clone(last.Cells)
	last.Cells = nil
	v3, err := w.Commit(ctx, last)
	must(t, err, "Commit after failed streams")
	if v3 <= v2 {
		t.Errorf("Commit after failed streams returned %d after %d", v3, v2)
	}
	assertCells(t, "after failed streams", s, kume.CellFilter{Res: 9}, wantCells)
}

// pickCells returns r's cells of one resolution and sector ordered by cell.
func pickCells(r *kume.AnalysisResult, res int, sector string) []kume.CellStat {
	var out []kume.CellStat
	for _, c := range r.Cells {
		if c.Res == res && c.Sector == sector {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b kume.CellStat) int { return cmp.Compare(a.Cell, b.Cell) })
	return out
}
