package storetest

import (
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// testImportNewDataset checks the imports that create their dataset
// (ImportOptions.Dataset): committed, the dataset and its rows appear
// together; aborted in any way, nothing of either is left, not even the
// dataset record or its name.
func testImportNewDataset(t *testing.T, open Opener) {
	t.Run("Commit", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		v0 := dataVersion(t, s)
		d := &kume.Dataset{Name: "new register", Source: "generated", Licence: "CC0", Attribution: "kume tests"}
		before := time.Now()
		st := MustImport(t, s, 0, kume.ImportOptions{Dataset: d}, Firms())
		after := time.Now()
		assertStats(t, "import into a new dataset", st, kume.ImportStats{Inserted: len(Firms())})
		if d.ID <= 0 || d.Count != len(Firms()) || d.Visibility != kume.DefaultVisibility {
			t.Fatalf("after Commit the dataset is %+v: want its id, %d rows and the default visibility %s", d, len(Firms()), kume.DefaultVisibility)
		}
		checkImportedAt(t, "new dataset", d.ImportedAt, before, after)
		got, err := s.DatasetByName(ctx, "new register")
		must(t, err, "DatasetByName")
		assertDataset(t, "stored new dataset", got, d)
		rows := datasetRows(t, s, d.ID)
		if len(rows) != len(Firms()) {
			t.Fatalf("%d rows in the new dataset, want %d", len(rows), len(Firms()))
		}
		for _, e := range rows {
			if e.DatasetID != d.ID {
				t.Errorf("row %q: dataset %d, want %d", e.SourceID, e.DatasetID, d.ID)
			}
		}
		if v := dataVersion(t, s); v <= v0 {
			t.Errorf("DataVersion %d after the commit, was %d", v, v0)
		}
		// A second import of the same name is a conflict; the first stays.
		imp, err := s.BeginImport(ctx, 0, kume.ImportOptions{Dataset: &kume.Dataset{Name: "new register"}})
		if err == nil {
			err = imp.Add(ctx, Synthetic("again", 2))
			if err == nil {
				_, err = imp.Commit(ctx)
			}
			imp.Rollback(ctx)
		}
		wantCode(t, err, kume.ECONFLICT, "a second new dataset of the same name")
		if n := len(datasetRows(t, s, d.ID)); n != len(Firms()) {
			t.Errorf("%d rows after the conflicting import, want %d", n, len(Firms()))
		}
	})

	t.Run("Rollback", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		v0 := dataVersion(t, s)
		d := &kume.Dataset{Name: "never", Visibility: kume.Public}
		imp, err := s.BeginImport(ctx, 0, kume.ImportOptions{Dataset: d})
		must(t, err, "BeginImport")
		must(t, imp.Add(ctx, Firms()), "Add")
		must(t, imp.Rollback(ctx), "Rollback")
		assertNoTrace(t, s, "never", v0)
		// The name is free again.
		MustCreateDataset(t, s, "never", kume.Private)
	})

	t.Run("FailedCommit", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		v0 := dataVersion(t, s)
		imp, err := s.BeginImport(ctx, 0, kume.ImportOptions{Dataset: &kume.Dataset{Name: "broken"}})
		must(t, err, "BeginImport")
		rows := Firms()
		rows[3].SourceID = rows[1].SourceID // a source id twice: the import fails
		err = imp.Add(ctx, rows)
		if err == nil {
			_, err = imp.Commit(ctx)
		}
		wantCode(t, err, kume.EINVALID, "a new dataset with a source id twice")
		imp.Rollback(ctx)
		assertNoTrace(t, s, "broken", v0)
	})

	t.Run("NameTaken", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		old := MustCreateDataset(t, s, "taken", kume.Public)
		MustImport(t, s, old.ID, kume.ImportOptions{}, Firms()[:2])
		imp, err := s.BeginImport(ctx, 0, kume.ImportOptions{Dataset: &kume.Dataset{Name: "taken", Visibility: kume.Private}})
		if err == nil {
			err = imp.Add(ctx, Synthetic("x", 3))
			if err == nil {
				_, err = imp.Commit(ctx)
			}
			imp.Rollback(ctx)
		}
		wantCode(t, err, kume.ECONFLICT, "a new dataset with a taken name")
		got, err := s.Dataset(ctx, old.ID)
		must(t, err, "Dataset")
		if got.Visibility != kume.Public || got.Count != 2 {
			t.Errorf("the existing dataset changed: %+v", got)
		}
		list, err := s.Datasets(ctx)
		must(t, err, "Datasets")
		if len(list) != 1 {
			t.Errorf("%d datasets, want 1", len(list))
		}
	})

	t.Run("BothIDAndNew", func(t *testing.T) {
		s := open(t)
		old := MustCreateDataset(t, s, "old", kume.Public)
		imp, err := s.BeginImport(t.Context(), old.ID, kume.ImportOptions{Dataset: &kume.Dataset{Name: "other"}})
		if err == nil {
			imp.Rollback(t.Context())
		}
		wantCode(t, err, kume.EINVALID, "an import into a dataset that also creates one")
	})

	t.Run("DefaultVisibility", func(t *testing.T) {
		s := open(t)
		d := &kume.Dataset{Name: "unsaid"}
		must(t, s.CreateDataset(t.Context(), d), "CreateDataset")
		got, err := s.Dataset(t.Context(), d.ID)
		must(t, err, "Dataset")
		if got.Visibility != kume.DefaultVisibility || kume.DefaultVisibility != kume.Private {
			t.Errorf("a dataset created without a visibility is %q, want %q (private)", got.Visibility, kume.DefaultVisibility)
		}
	})
}

// assertNoTrace fails the test if the store holds anything of the dataset
// named name, or if its data version moved from v0.
func assertNoTrace(t testing.TB, s kume.Store, name string, v0 int64) {
	t.Helper()
	ctx := t.Context()
	_, err := s.DatasetByName(ctx, name)
	wantCode(t, err, kume.ENOTFOUND, "DatasetByName after an aborted import")
	list, err := s.Datasets(ctx)
	must(t, err, "Datasets")
	if len(list) != 0 {
		t.Errorf("%d datasets after an aborted import into a new one, want 0: %+v", len(list), list[0])
	}
	n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{})
	must(t, err, "CountEstablishments")
	if n != 0 {
		t.Errorf("%d establishments after an aborted import, want 0", n)
	}
	if v := dataVersion(t, s); v != v0 {
		t.Errorf("DataVersion %d after an aborted import, was %d", v, v0)
	}
}
