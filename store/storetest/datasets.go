package storetest

import (
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

func testDatasets(t *testing.T, open Opener) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		list, err := s.Datasets(ctx)
		must(t, err, "Datasets on empty store")
		if len(list) != 0 {
			t.Fatalf("empty store has %d datasets", len(list))
		}
		a := &kume.Dataset{Name: "kosgeb", Source: "KOSGEB register", Licence: "ODbL",
			Attribution: "© KOSGEB", Visibility: kume.Public, Count: 99}
		must(t, s.CreateDataset(ctx, a), "CreateDataset")
		b := MustCreateDataset(t, s, "private one", kume.Private)
		if a.ID <= 0 || b.ID <= 0 || a.ID == b.ID {
			t.Fatalf("ids %d and %d: want distinct positive ids", a.ID, b.ID)
		}
		got, err := s.Dataset(ctx, a.ID)
		must(t, err, "Dataset")
		want := *a
		want.Count = 0 // the store counts, not the caller
		assertDataset(t, "Dataset(a)", got, &want)
		got, err = s.DatasetByName(ctx, "private one")
		must(t, err, "DatasetByName")
		assertDataset(t, "DatasetByName(b)", got, b)

		list, err = s.Datasets(ctx)
		must(t, err, "Datasets")
		if len(list) != 2 || list[0].ID > list[1].ID {
			t.Fatalf("Datasets = %v, want 2 ordered by id", list)
		}
		if list[0].ID != min(a.ID, b.ID) {
			t.Errorf("Datasets not ordered by id: %d first", list[0].ID)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		a := MustCreateDataset(t, s, "taken", kume.Public)
		b := MustCreateDataset(t, s, "other", kume.Public)
		err := s.CreateDataset(ctx, &kume.Dataset{Name: "taken", Visibility: kume.Private})
		wantCode(t, err, kume.ECONFLICT, "CreateDataset with a taken name")
		_, err = s.Dataset(ctx, a.ID+b.ID+1000)
		wantCode(t, err, kume.ENOTFOUND, "Dataset(missing)")
		_, err = s.DatasetByName(ctx, "nope")
		wantCode(t, err, kume.ENOTFOUND, "DatasetByName(missing)")
		err = s.UpdateDataset(ctx, &kume.Dataset{ID: a.ID + b.ID + 1000, Name: "x", Visibility: kume.Public})
		wantCode(t, err, kume.ENOTFOUND, "UpdateDataset(missing)")
		err = s.DeleteDataset(ctx, a.ID+b.ID+1000)
		wantCode(t, err, kume.ENOTFOUND, "DeleteDataset(missing)")
		upd := *b
		upd.Name = "taken"
		wantCode(t, s.UpdateDataset(ctx, &upd), kume.ECONFLICT, "UpdateDataset to a taken name")
		got, err := s.Dataset(ctx, b.ID)
		must(t, err, "Dataset")
		if got.Name != "other" {
			t.Errorf("failed rename changed the name to %q", got.Name)
		}
		list, err := s.Datasets(ctx)
		must(t, err, "Datasets")
		if len(list) != 2 {
			t.Errorf("%d datasets after failed create, want 2", len(list))
		}
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		d := MustCreateDataset(t, s, "before", kume.Public)
		MustImport(t, s, d.ID, kume.ImportOptions{}, Firms())
		stored, err := s.Dataset(ctx, d.ID)
		must(t, err, "Dataset")
		upd := &kume.Dataset{ID: d.ID, Name: "after", Source: "new source", Licence: "CC0",
			Attribution: "someone", Visibility: kume.Private, Count: 12345,
			ImportedAt: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}
		must(t, s.UpdateDataset(ctx, upd), "UpdateDataset")
		got, err := s.Dataset(ctx, d.ID)
		must(t, err, "Dataset")
		want := *upd
		want.Count, want.ImportedAt = stored.Count, stored.ImportedAt // kept by the store
		assertDataset(t, "after UpdateDataset", got, &want)
		_, err = s.DatasetByName(ctx, "before")
		wantCode(t, err, kume.ENOTFOUND, "DatasetByName(old name)")
		if _, err := s.DatasetByName(ctx, "after"); err != nil {
			t.Errorf("DatasetByName(new name): %v", err)
		}
		// The visibility change takes effect for PublicOnly readers.
		n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{PublicOnly: true})
		must(t, err, "CountEstablishments")
		if n != 0 {
			t.Errorf("PublicOnly count after making the dataset private = %d, want 0", n)
		}
	})
}

// assertDataset compares two datasets; ImportedAt to the microsecond.
func assertDataset(t testing.TB, what string, got, want *kume.Dataset) {
	t.Helper()
	if got.ImportedAt.Location() != time.UTC && !got.ImportedAt.IsZero() {
		t.Errorf("%s: ImportedAt %v not in UTC", what, got.ImportedAt)
	}
	g, w := *got, *want
	if !g.ImportedAt.Truncate(time.Microsecond).Equal(w.ImportedAt.Truncate(time.Microsecond)) {
		t.Errorf("%s: ImportedAt %v, want %v", what, g.ImportedAt, w.ImportedAt)
	}
	g.ImportedAt, w.ImportedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// checkImportedAt fails the test unless at is within [before, after] (with a
// second of slack for clock rounding) and in UTC.
func checkImportedAt(t testing.TB, what string, at, before, after time.Time) {
	t.Helper()
	if at.IsZero() || at.Before(before.Add(-time.Second)) || at.After(after.Add(time.Second)) {
		t.Errorf("%s: ImportedAt %v, want between %v and %v", what, at, before, after)
	}
	if at.Location() != time.UTC {
		t.Errorf("%s: ImportedAt %v not in UTC", what, at)
	}
}
