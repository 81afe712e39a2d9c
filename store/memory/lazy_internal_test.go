package memory

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/kume-geo/kume"
)

// openWithAnalysis returns a directory holding one saved analysis of cells.
func openWithAnalysis(t *testing.T, cells []kume.CellStat) (dir string, version int64) {
	t.Helper()
	dir = t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	version, err = s.SaveAnalysis(context.Background(), &kume.AnalysisResult{Cells: cells})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, version
}

func TestOpenDecodesTheAnalysisOnFirstRead(t *testing.T) {
	ctx := context.Background()
	cells := randomCells(t, rand.New(rand.NewPCG(3, 4)))
	dir, version := openWithAnalysis(t, cells)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.snapshot()
	if st.slot("").lazy == nil || st.slot("").lazy.loaded() != nil || st.slot("").a != nil {
		t.Fatal("Open decoded the analysis before anything read it")
	}
	// The run is the MANIFEST's: reading it decodes nothing.
	run, err := s.LatestAnalysis(ctx)
	if err != nil || run.Version != version {
		t.Fatalf("LatestAnalysis = %+v, %v; want version %d", run, err, version)
	}
	if st.slot("").lazy.loaded() != nil {
		t.Fatal("LatestAnalysis decoded the analysis")
	}
	got, err := s.CellStats(ctx, kume.CellFilter{Res: 5})
	if err != nil || len(got) == 0 {
		t.Fatalf("CellStats after a lazy load: %d cells, %v", len(got), err)
	}
	if st.slot("").lazy.loaded() == nil {
		t.Fatal("the analysis is not kept once read")
	}
}

func TestAnalysisReplacedUnreadIsNotKept(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	dir, old := openWithAnalysis(t, randomCells(t, rng))
	oldFile := ""
	if s, err := Open(dir); err != nil {
		t.Fatal(err)
	} else {
		oldFile = s.snapshot().slot("").lazy.path
		v, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Cells: randomCells(t, rng)})
		if err != nil {
			t.Fatal(err)
		}
		if st := s.snapshot(); st.slot("").lazy != nil || st.slot("").previous != nil || st.slot("").a == nil || st.slot("").a.run.Version != v {
			t.Fatalf("after the save: lazy %v, previous %v, analysis %v", st.slot("").lazy, st.slot("").previous, st.slot("").a)
		}
		// The replaced version is gone, not an error of a missing file.
		if _, err := s.CellStats(ctx, kume.CellFilter{Version: old, Res: 5}); kume.ErrorCode(err) != kume.ENOTFOUND {
			t.Errorf("CellStats of the replaced version: %v, want ENOTFOUND", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(oldFile); !os.IsNotExist(err) {
		t.Errorf("the replaced analysis file is still there: %v", err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.CellStats(ctx, kume.CellFilter{Res: 7}); err != nil || len(got) == 0 {
		t.Fatalf("reopened: %d cells, %v", len(got), err)
	}
}

func TestAnalysisReadBeforeReplacementIsKept(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	dir, old := openWithAnalysis(t, randomCells(t, rng))
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CellStats(ctx, kume.CellFilter{Res: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Cells: randomCells(t, rng)}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.CellStats(ctx, kume.CellFilter{Version: old, Res: 5}); err != nil || len(got) == 0 {
		t.Errorf("the previous version, read before the save, is not kept: %d cells, %v", len(got), err)
	}
}
