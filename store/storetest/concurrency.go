package storetest

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kume-geo/kume"
)

func testConcurrency(t *testing.T, open Opener) {
	t.Run("ReadersDuringImport", func(t *testing.T) { testReadersDuringImport(t, open) })
	t.Run("ReadersDuringSaveAnalysis", func(t *testing.T) { testReadersDuringSave(t, open) })
}

// generation returns rows named "g<gen> ..." so a reader can tell which commit
// it sees: generation gen has base+50*(gen-1) rows.
func generation(gen, base int) []kume.Establishment {
	rows := Synthetic("s", base+50*(gen-1))
	for i := range rows {
		rows[i].Name = fmt.Sprintf("g%d %s", gen, rows[i].Name)
	}
	return rows
}

// readUntil runs read in n goroutines, each at least once and then until stop
// is closed, and waits for them.
func readUntil(t *testing.T, n int, stop <-chan struct{}, read func() error) {
	t.Helper()
	var wg sync.WaitGroup
	var reads atomic.Int64
	for range n {
		wg.Go(func() {
			for {
				if err := read(); err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	if reads.Load() == 0 {
		t.Errorf("readers made no reads")
	}
}

func testReadersDuringImport(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	const base, gens = 300, 4
	d := MustCreateDataset(t, s, "busy", kume.Public)
	MustImport(t, s, d.ID, kume.ImportOptions{}, generation(1, base))
	f := kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}}
	check := func(rows []kume.Establishment) error {
		if len(rows) == 0 {
			return fmt.Errorf("reader saw no rows")
		}
		gen := strings.Fields(rows[0].Name)[0]
		var g int
		fmt.Sscanf(gen, "g%d", &g)
		if want := base + 50*(g-1); len(rows) != want {
			return fmt.Errorf("reader saw %d rows of %s, want %d", len(rows), gen, want)
		}
		for _, e := range rows {
			if !strings.HasPrefix(e.Name, gen+" ") {
				return fmt.Errorf("reader saw a mix of %s and %q", gen, e.Name)
			}
		}
		return nil
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		readUntil(t, 3, stop, func() error {
			rows, err := s.Establishments(ctx, f)
			if err != nil {
				return fmt.Errorf("reading establishments: %w", err)
			}
			if err := check(rows); err != nil {
				return err
			}
			var streamed []kume.Establishment
			err = s.EachEstablishment(ctx, f, func(e *kume.Establishment) error {
				streamed = append(streamed, *e)
				return nil
			})
			if err != nil {
				return fmt.Errorf("streaming establishments: %w", err)
			}
			return check(streamed)
		})
	}()
	func() {
		defer func() { close(stop); <-done }()
		for g := 2; g <= gens; g++ {
			MustImport(t, s, d.ID, kume.ImportOptions{Replace: g == gens, ReplaceAt: date(2024, 1, 1, 0, 0, 0, 0)}, generation(g, base))
		}
	}()
	rows, err := s.Establishments(ctx, f)
	must(t, err, "Establishments")
	if err := check(rows); err != nil || !strings.HasPrefix(rows[0].Name, fmt.Sprintf("g%d ", gens)) {
		t.Errorf("after the last import: %v, first row %q", err, rows[0].Name)
	}
}

func testReadersDuringSave(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	const cells, runs = 300, 4
	_, err := s.SaveAnalysis(ctx, syntheticAnalysis(1, cells))
	must(t, err, "SaveAnalysis")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		readUntil(t, 3, stop, func() error {
			cs, err := s.CellStats(ctx, kume.CellFilter{Res: 9})
			if err != nil {
				return fmt.Errorf("reading cell stats: %w", err)
			}
			if len(cs) != cells {
				return fmt.Errorf("reader saw %d cells, want %d", len(cs), cells)
			}
			for _, c := range cs {
				if c.Firms != cs[0].Firms {
					return fmt.Errorf("reader saw cells of runs %d and %d at once", cs[0].Firms, c.Firms)
				}
			}
			cl, err := s.Clusters(ctx, kume.ClusterFilter{})
			if err != nil {
				return fmt.Errorf("reading clusters: %w", err)
			}
			rs, err := s.RegionStats(ctx, kume.RegionStatFilter{Sector: "13"})
			if err != nil {
				return fmt.Errorf("reading region stats: %w", err)
			}
			if len(cl) != 3 || len(rs) != 3 {
				return fmt.Errorf("reader saw %d clusters and %d region stats, want 3 and 3", len(cl), len(rs))
			}
			for i := range cl {
				if cl[i].Firms != cl[0].Firms || rs[i].Firms != rs[0].Firms {
					return fmt.Errorf("reader saw a mix of runs in clusters or region stats")
				}
			}
			return nil
		})
	}()
	func() {
		defer func() { close(stop); <-done }()
		for m := 2; m <= runs; m++ {
			_, err := s.SaveAnalysis(ctx, syntheticAnalysis(m, cells))
			must(t, err, "SaveAnalysis")
		}
	}()
	cs, err := s.CellStats(ctx, kume.CellFilter{Res: 9})
	must(t, err, "CellStats")
	if len(cs) != cells || cs[len(cs)-1].Firms != runs {
		t.Errorf("after the last run: %d cells of run %d", len(cs), cs[0].Firms)
	}
}
