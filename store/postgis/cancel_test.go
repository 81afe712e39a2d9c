package postgis_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/store/storetest"
)

// snapshot is what an aborted import must leave untouched.
type snapshot struct {
	version int64
	dataset kume.Dataset
	rows    []kume.Establishment
}

func take(t *testing.T, s *postgis.Store, datasetID int64) snapshot {
	t.Helper()
	ctx := context.Background()
	v, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Dataset(ctx, datasetID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Establishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{datasetID}})
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{v, *d, rows}
}

func assertUnchanged(t *testing.T, s *postgis.Store, before snapshot) {
	t.Helper()
	after := take(t, s, before.dataset.ID)
	if after.version != before.version {
		t.Errorf("data version %d, was %d", after.version, before.version)
	}
	if !reflect.DeepEqual(after.dataset, before.dataset) {
		t.Errorf("dataset %+v, was %+v", after.dataset, before.dataset)
	}
	if !reflect.DeepEqual(after.rows, before.rows) {
		t.Errorf("establishments changed: %d rows, were %d", len(after.rows), len(before.rows))
	}
}

// changed returns rows with every name changed, so a re-import updates them all.
func changed(rows []kume.Establishment) []kume.Establishment {
	for i := range rows {
		rows[i].Name += " (renamed)"
	}
	return rows
}

func TestImportCancelled(t *testing.T) {
	s := open(t)
	d := storetest.MustCreateDataset(t, s, "cancel", kume.Public)
	storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, storetest.Synthetic("s", 2000))
	before := take(t, s, d.ID)

	t.Run("BetweenAdds", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		imp, err := s.BeginImport(ctx, d.ID, kume.ImportOptions{Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := imp.Add(ctx, changed(storetest.Synthetic("s", 1000))); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := imp.Add(ctx, storetest.Synthetic("t", 1000)); !errors.Is(err, context.Canceled) {
			t.Errorf("Add after cancel: %v, want context.Canceled", err)
		}
		if _, err := imp.Commit(ctx); err == nil {
			t.Error("Commit after cancel succeeded")
		}
		if err := imp.Rollback(ctx); err != nil {
			t.Errorf("Rollback: %v", err)
		}
		assertUnchanged(t, s, before)
	})

	t.Run("DuringCommit", func(t *testing.T) {
		big := changed(storetest.Synthetic("s", 100_000))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		imp, err := s.BeginImport(ctx, d.ID, kume.ImportOptions{Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		defer imp.Rollback(ctx)
		if err := imp.Add(ctx, big); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(20*time.Millisecond, cancel)
		defer timer.Stop()
		start := time.Now()
		_, err = imp.Commit(ctx)
		if err == nil {
			t.Fatalf("Commit of 100k rows finished within %v, before the cancel", time.Since(start))
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Commit: %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("cancelled Commit returned after %v", d)
		}
		assertUnchanged(t, s, before)
	})

	// The store still works after the cancelled imports.
	st := storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, storetest.Synthetic("u", 10))
	if st.Inserted != 10 {
		t.Errorf("import after cancel: %+v", st)
	}
}

func TestEachEstablishmentCancelled(t *testing.T) {
	s := open(t)
	d := storetest.MustCreateDataset(t, s, "each", kume.Public)
	storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, storetest.Synthetic("s", 5000))
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.EachEstablishment(ctx, kume.EstablishmentFilter{}, func(*kume.Establishment) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("EachEstablishment after cancel: %v (read %d rows), want context.Canceled", err, n)
	}
	if n == 5000 {
		t.Error("cancel did not stop the stream")
	}
	if _, err := s.CountEstablishments(context.Background(), kume.EstablishmentFilter{}); err != nil {
		t.Errorf("store unusable after cancel: %v", err)
	}
}
