package postgis_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
)

// TestImportPaths drives a staged import through each way of applying it: in
// place (few changes), by rebuilding the partition (many changes) and not at
// all (no changes), and checks that ids stay and counts match.
func TestImportPaths(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	d := storetest.MustCreateDataset(t, s, "paths", kume.Public)
	base := storetest.Synthetic("p", 1000)
	storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, base)
	ids := func() map[string]int64 {
		rows, err := s.Establishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
		if err != nil {
			t.Fatal(err)
		}
		m := make(map[string]int64, len(rows))
		for _, e := range rows {
			m[e.SourceID] = e.ID
		}
		return m
	}
	before := ids()

	// In place: 5 updates and 5 inserts among 1000 rows.
	small := storetest.Synthetic("p", 1005)
	for i := range 5 {
		small[i].Name += " (renamed)"
	}
	st := storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, small)
	if want := (kume.ImportStats{Inserted: 5, Updated: 5, Unchanged: 995}); st != want {
		t.Errorf("in place: %+v, want %+v", st, want)
	}
	// Replace in place: 10 rows absent are closed.
	st = storetest.MustImport(t, s, d.ID, kume.ImportOptions{Replace: true}, small[:995])
	if want := (kume.ImportStats{Unchanged: 995, Closed: 10}); st != want {
		t.Errorf("replace in place: %+v, want %+v", st, want)
	}
	// Rebuild: every row changes (the 10 closed ones reopen), 495 are new and
	// the 5 absent ones are closed.
	big := storetest.Synthetic("p", 1500)
	for i := range big {
		big[i].Name += " (v2)"
	}
	st = storetest.MustImport(t, s, d.ID, kume.ImportOptions{Replace: true}, big[5:])
	if want := (kume.ImportStats{Inserted: 495, Updated: 1000, Closed: 5}); st != want {
		t.Errorf("rebuild: %+v, want %+v", st, want)
	}
	after := ids()
	if len(after) != 1500 {
		t.Errorf("%d rows after the rebuild, want 1500", len(after))
	}
	for src, id := range before {
		if after[src] != id {
			t.Errorf("%s: id %d became %d", src, id, after[src])
		}
	}
	// Nothing changes: nothing is written, and the counts say so.
	st = storetest.MustImport(t, s, d.ID, kume.ImportOptions{Replace: true}, big[5:])
	if want := (kume.ImportStats{Unchanged: 1495}); st != want {
		t.Errorf("unchanged: %+v, want %+v", st, want)
	}
	active, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}, ActiveAt: new(time.Now().Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if active != 1495 {
		t.Errorf("%d rows active, want 1495", active)
	}
}

// TestConcurrentPartitionSwaps runs imports into several datasets at once,
// each swapping partitions, while readers read all datasets: no import or
// reader may fail (deadlocks included).
func TestConcurrentPartitionSwaps(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	var ds []*kume.Dataset
	for i := range 3 {
		ds = append(ds, storetest.MustCreateDataset(t, s, fmt.Sprintf("swap%d", i), kume.Public))
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				if _, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{}); err != nil {
					t.Error(err)
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	var writers sync.WaitGroup
	for i, d := range ds {
		writers.Go(func() {
			for round := range 4 {
				rows := storetest.Synthetic(fmt.Sprintf("w%d", i), 200+100*round)
				for j := range rows {
					rows[j].Name += fmt.Sprintf(" r%d", round)
				}
				imp, err := s.BeginImport(ctx, d.ID, kume.ImportOptions{Replace: round%2 == 1})
				if err != nil {
					t.Error(err)
					return
				}
				if err := imp.Add(ctx, rows); err != nil {
					t.Error(err)
				} else if _, err := imp.Commit(ctx); err != nil {
					t.Error(err)
				}
				imp.Rollback(ctx)
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	for i, d := range ds {
		n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
		if err != nil || n != 500 {
			t.Errorf("dataset %d: %d rows (%v), want 500", i, n, err)
		}
	}
	if err := s.DeleteDataset(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{})
	if err != nil || n != 1000 {
		t.Errorf("after deleting a dataset: %d rows (%v), want 1000", n, err)
	}
}
