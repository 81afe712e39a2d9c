package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// synthTail returns a run, clusters (ordered by id) and region statistics
// (ordered by code) to commit with synthetic cells.
func synthTail() *kume.AnalysisResult {
	lq := 1.75
	return &kume.AnalysisResult{
		Run: kume.AnalysisRun{StartedAt: time.Date(2025, 3, 1, 10, 0, 0, 5, time.UTC),
			FinishedAt: time.Date(2025, 3, 1, 10, 1, 0, 0, time.UTC), Params: json.RawMessage(`{"k":2}`)},
		Clusters: []kume.Cluster{
			{ID: "13-9-1", Sector: "13", Res: 9, Name: "Bursa", Cells: []uint64{1, 2}, Firms: 40, LQ: &lq,
				Geometry: orb.MultiPolygon{{{{29, 40}, {29.1, 40}, {29.1, 40.1}, {29, 40}}}}},
			{ID: "20-8-1", Sector: "20", Res: 8, Firms: 3},
		},
		Regions: []kume.RegionStat{{Level: "province", Code: "16", Sector: "13", Firms: 40, LQ: &lq}},
	}
}

// streamSynth streams all of g's rows into s in batches of n and commits
// them with tail.
func streamSynth(t testing.TB, s *Store, g *synthCells, n int, tail *kume.AnalysisResult) int64 {
	t.Helper()
	ctx := context.Background()
	w, err := s.BeginAnalysis(ctx, g.count())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	buf, floats := make([]kume.CellStat, n), make([]float64, 3*n)
	for b := g.next(buf, floats); len(b) > 0; b = g.next(buf, floats) {
		if err := w.WriteCells(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	v, err := w.Commit(ctx, tail)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sameAnalysis compares everything two stores' current analyses hold.
func sameAnalysis(t *testing.T, what string, got, want *Store) {
	t.Helper()
	g, err := got.snapshot().currentAnalysis()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	w, err := want.snapshot().currentAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	gc, gp, gn := flatten(t, g)
	wc, wp, wn := flatten(t, w)
	if len(gc) != len(wc) {
		t.Fatalf("%s: %d cells, want %d", what, len(gc), len(wc))
	}
	for i := range gc {
		if !reflect.DeepEqual(gc[i], wc[i]) || gp[i] != wp[i] {
			t.Fatalf("%s: cell %d = %+v at %v, want %+v at %v", what, i, gc[i], gp[i], wc[i], wp[i])
		}
	}
	if gn != wn {
		t.Errorf("%s: %d groups, want %d", what, gn, wn)
	}
	if !reflect.DeepEqual(g.run, w.run) || !reflect.DeepEqual(g.clusters, w.clusters) ||
		!reflect.DeepEqual(g.regions, w.regions) || !reflect.DeepEqual(g.bounds, w.bounds) {
		t.Errorf("%s: run, clusters or regions differ:\n%+v\n%+v", what, g, w)
	}
}

// TestStreamMatchesSaveOwned streams ~270k rows in batches and
// compares the result with saveOwned of the same rows, in both kinds
// of store, and after a reopen.
func TestStreamMatchesSaveOwned(t *testing.T) {
	ctx := t.Context()
	g := newSynthCells(3, 20, 0.05)
	if n := g.count(); n < 250_000 {
		t.Fatalf("the synthetic analysis has only %d rows", n)
	}
	for _, persisted := range []bool{true, false} {
		name := map[bool]string{true: "Persisted", false: "InMemory"}[persisted]
		t.Run(name, func(t *testing.T) {
			open := func() (*Store, string) {
				if !persisted {
					return New(), ""
				}
				dir := t.TempDir()
				s, err := Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				return s, dir
			}
			owned, _ := open()
			defer owned.Close()
			r := synthTail()
			r.Cells = g.all()
			vo, err := owned.saveOwned(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			streamed, dir := open()
			defer func() { streamed.Close() }()
			tail := synthTail()
			if vs := streamSynth(t, streamed, g, 50_000, tail); vs != vo || tail.Run.Version != vs {
				t.Errorf("streamed version %d (Run.Version %d), owned %d", vs, tail.Run.Version, vo)
			}
			if !persisted {
				sameAnalysis(t, "in memory", streamed, owned)
				return
			}
			st := streamed.snapshot()
			if st.slot("").a != nil || st.slot("").lazy == nil || st.slot("").lazy.loaded() != nil {
				t.Fatal("Commit decoded the streamed analysis")
			}
			// The same layout as saveOwned writes, byte for byte.
			a, err := os.ReadFile(filepath.Join(dir, st.slot("").file))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(owned.dir, owned.snapshot().slot("").file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("the streamed file (%d bytes) differs from the one saveOwned wrote (%d bytes)", len(a), len(b))
			}
			sameAnalysis(t, "streamed", streamed, owned)
			if err := streamed.Close(); err != nil {
				t.Fatal(err)
			}
			if streamed, err = Open(dir); err != nil {
				t.Fatal(err)
			}
			sameAnalysis(t, "reopened", streamed, owned)
			assertNoTemp(t, dir)
		})
	}
}

// assertNoTemp fails if dir holds a temp file.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("temp file %s left behind", e.Name())
		}
	}
}

// TestStreamKeepsPrevious checks that an analysis in memory stays readable
// as the previous version after a streamed commit.
func TestStreamKeepsPrevious(t *testing.T) {
	ctx := t.Context()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := newSynthCells(4, 4, 0.2)
	r := synthTail()
	r.Cells = g.all()
	v1, err := s.saveOwned(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	v2 := streamSynth(t, s, g, 1000, synthTail())
	for _, v := range []int64{v1, v2} {
		got, err := s.CellStats(ctx, kume.CellFilter{Version: v, Res: 8, Sector: "13"})
		if err != nil || len(got) == 0 {
			t.Errorf("version %d after the streamed commit: %d cells, %v", v, len(got), err)
		}
	}
}

// TestStreamEnds checks the life of a stream: one at a time, and an ended
// stream (aborted, failed, committed) leaves no file and frees the store.
func TestStreamEnds(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cells := newSynthCells(4, 2, 0.5).all()[:10]
	w, err := s.BeginAnalysis(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteCells(ctx, cells[:4]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginAnalysis(ctx, 1); kume.ErrorCode(err) != kume.ECONFLICT {
		t.Errorf("a second stream while one is open: %v, want ECONFLICT", err)
	}
	w.Abort()
	assertNoTemp(t, dir)

	// A rejected batch ends the stream at once, without Abort.
	w, err = s.BeginAnalysis(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteCells(ctx, []kume.CellStat{cells[1], cells[0]}); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("cells out of order: %v, want EINVALID", err)
	}
	assertNoTemp(t, dir)
	if err := w.WriteCells(ctx, cells[2:3]); err == nil {
		t.Error("WriteCells after a rejected batch succeeded")
	}

	// Commit checks the clusters as SaveAnalysis would.
	w, err = s.BeginAnalysis(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteCells(ctx, cells); err != nil {
		t.Fatal(err)
	}
	dup := &kume.AnalysisResult{Clusters: []kume.Cluster{{ID: "x"}, {ID: "y"}, {ID: "x"}}}
	if _, err := w.Commit(ctx, dup); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("Commit of a repeated cluster id: %v, want EINVALID", err)
	}
	assertNoTemp(t, dir)

	w, err = s.BeginAnalysis(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteCells(ctx, cells); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, synthTail()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, synthTail()); err == nil {
		t.Error("a second Commit succeeded")
	}
	w.Abort()
	assertNoTemp(t, dir)
	if got, err := s.CellStats(ctx, kume.CellFilter{Res: 7}); err != nil || len(got) == 0 {
		t.Errorf("after the commit: %d cells, %v", len(got), err)
	}
}
