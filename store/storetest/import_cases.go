package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

func testImportCycle(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	d := MustCreateDataset(t, s, "cycle", kume.Public)
	v0 := dataVersion(t, s)
	before := time.Now()
	st := MustImport(t, s, d.ID, kume.ImportOptions{}, Firms())
	after := time.Now()
	assertStats(t, "first import", st, kume.ImportStats{Inserted: 7})
	v1 := dataVersion(t, s)
	if v1 <= v0 {
		t.Errorf("DataVersion %d after a commit, was %d: want it to grow", v1, v0)
	}
	ds, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	if ds.Count != 7 {
		t.Errorf("Dataset.Count = %d after importing 7", ds.Count)
	}
	checkImportedAt(t, "first import", ds.ImportedAt, before, after)
	rows := datasetRows(t, s, d.ID)
	for _, in := range Firms() {
		e, ok := rows[in.SourceID]
		if !ok {
			t.Fatalf("source id %q missing after import", in.SourceID)
		}
		if e.ID <= 0 {
			t.Errorf("%q: id %d, want positive", in.SourceID, e.ID)
		}
		in.ID, in.DatasetID = e.ID, d.ID
		AssertSameEstablishment(t, "imported "+in.SourceID, e, in)
	}

	// The same rows again: nothing changes, ids stay.
	st = MustImport(t, s, d.ID, kume.ImportOptions{}, Firms())
	assertStats(t, "re-import", st, kume.ImportStats{Unchanged: 7})
	if again := datasetRows(t, s, d.ID); !reflect.DeepEqual(again, rows) {
		t.Errorf("re-import of identical rows changed them")
	}
	ds2, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	if ds2.Count != 7 || ds2.ImportedAt.Before(ds.ImportedAt) {
		t.Errorf("after re-import: Count %d ImportedAt %v (was %v)", ds2.Count, ds2.ImportedAt, ds.ImportedAt)
	}

	// Two updates, one insert, five unchanged.
	in := Firms()
	in[0].Name, in[0].Employees = "Bursa İpek Dokuma Holding A.Ş.", kume.ExactEmployees(42)
	in[0].Attrs = map[string]string{"tax_no": "1234567890"}
	in[2].Closed = ptrTime(date(2024, 2, 29, 23, 59, 59, 1))
	in = append(in, kume.Establishment{SourceID: "a8", Name: "Yeni Firma", Kind: kume.KindFirm,
		NACE: "13.10", Lon: 29.2, Lat: 40.1, Precision: kume.PrecisionAddress})
	v2 := dataVersion(t, s)
	st = MustImport(t, s, d.ID, kume.ImportOptions{}, in)
	assertStats(t, "update import", st, kume.ImportStats{Inserted: 1, Updated: 2, Unchanged: 5})
	if v3 := dataVersion(t, s); v3 <= v2 {
		t.Errorf("DataVersion %d after an update commit, was %d", v3, v2)
	}
	updated := datasetRows(t, s, d.ID)
	for _, want := range in {
		got, ok := updated[want.SourceID]
		if !ok {
			t.Fatalf("source id %q missing after update", want.SourceID)
		}
		if old, ok := rows[want.SourceID]; ok && old.ID != got.ID {
			t.Errorf("%q: id changed from %d to %d on update", want.SourceID, old.ID, got.ID)
		}
		want.ID, want.DatasetID = got.ID, d.ID
		AssertSameEstablishment(t, "updated "+want.SourceID, got, want)
	}
	ds3, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	if ds3.Count != 8 {
		t.Errorf("Dataset.Count = %d after inserting an 8th row", ds3.Count)
	}

	// A partial import without Replace leaves the other rows alone.
	st = MustImport(t, s, d.ID, kume.ImportOptions{}, in[3:5])
	assertStats(t, "partial import", st, kume.ImportStats{Unchanged: 2})
	if got := datasetRows(t, s, d.ID); !reflect.DeepEqual(got, updated) {
		t.Errorf("a partial import without Replace changed other rows")
	}
	t.Run("EachFieldIsAnUpdate", func(t *testing.T) { testFieldUpdates(t, s, d.ID) })
}

// testFieldUpdates changes one field at a time of row "a1" and checks that each
// change counts as an update and is stored.
func testFieldUpdates(t *testing.T, s kume.Store, datasetID int64) {
	cur := datasetRows(t, s, datasetID)["a1"]
	cases := []struct {
		name   string
		change func(e *kume.Establishment)
	}{
		{"Name", func(e *kume.Establishment) { e.Name = "Renamed" }},
		{"Kind", func(e *kume.Establishment) { e.Kind, e.Type = kume.KindInstitution, kume.Bank }},
		{"Type", func(e *kume.Establishment) { e.Type = kume.Cooperative }},
		{"NACE", func(e *kume.Establishment) { e.NACE = "" }},
		{"EmployeesBand", func(e *kume.Establishment) { e.Employees = kume.EmployeeBand(250, -1) }},
		{"EmployeesUnknown", func(e *kume.Establishment) { e.Employees = kume.Employees{} }},
		{"Founded", func(e *kume.Establishment) { e.Founded = ptrTime(date(2011, 1, 2, 3, 4, 5, 6)) }},
		{"FoundedNil", func(e *kume.Establishment) { e.Founded = nil }},
		{"Closed", func(e *kume.Establishment) { e.Closed = ptrTime(date(2023, 12, 31, 0, 0, 0, 0)) }},
		{"Street", func(e *kume.Establishment) { e.Address.Street = "Yeni Sokak 1" }},
		{"Country", func(e *kume.Establishment) { e.Address.Country = "" }},
		{"Lon", func(e *kume.Establishment) { e.Lon += 0.000001 }},
		{"Lat", func(e *kume.Establishment) { e.Lat = -e.Lat }},
		{"Precision", func(e *kume.Establishment) { e.Precision = kume.PrecisionPostcode }},
		{"GeocodeSource", func(e *kume.Establishment) { e.GeocodeSource = "nominatim" }},
		{"AttrValue", func(e *kume.Establishment) { e.Attrs = map[string]string{"tax_no": "0"} }},
		{"AttrsNil", func(e *kume.Establishment) { e.Attrs = nil }},
	}
	for _, c := range cases {
		next := cur
		next.Attrs = map[string]string{}
		for k, v := range cur.Attrs {
			next.Attrs[k] = v
		}
		c.change(&next)
		st := MustImport(t, s, datasetID, kume.ImportOptions{}, []kume.Establishment{next})
		assertStats(t, c.name, st, kume.ImportStats{Updated: 1})
		got := datasetRows(t, s, datasetID)["a1"]
		AssertSameEstablishment(t, c.name, got, next)
		cur = got
	}
}

func testImportReplace(t *testing.T, open Opener) {
	s := open(t)
	d := MustCreateDataset(t, s, "replace", kume.Public)
	other := MustCreateDataset(t, s, "other", kume.Public)
	MustImport(t, s, d.ID, kume.ImportOptions{}, Firms())
	MustImport(t, s, other.ID, kume.ImportOptions{}, PrivateFirms())
	before := datasetRows(t, s, d.ID)
	otherBefore := datasetRows(t, s, other.ID)
	at := time.Date(2024, 3, 1, 10, 0, 0, 250000000, istanbul())
	in := Firms()
	opts := kume.ImportOptions{Replace: true, ReplaceAt: at}

	st := MustImport(t, s, d.ID, opts, []kume.Establishment{in[0], in[2]})
	// a2 was closed already; a4..a7 are open and missing.
	assertStats(t, "replace", st, kume.ImportStats{Unchanged: 2, Closed: 4})
	after := datasetRows(t, s, d.ID)
	if len(after) != 7 {
		t.Fatalf("replace deleted rows: %d left of 7", len(after))
	}
	for src, want := range before {
		if src == "a4" || src == "a5" || src == "a6" || src == "a7" {
			want.Closed = ptrTime(at)
		}
		AssertSameEstablishment(t, "after replace "+src, after[src], want)
	}
	if got := datasetRows(t, s, other.ID); !reflect.DeepEqual(got, otherBefore) {
		t.Errorf("replace in one dataset changed another")
	}
	ds, err := s.Dataset(t.Context(), d.ID)
	must(t, err, "Dataset")
	if ds.Count != 7 {
		t.Errorf("Dataset.Count = %d after replace, want 7 (closed rows count)", ds.Count)
	}

	st = MustImport(t, s, d.ID, opts, []kume.Establishment{in[0], in[2]})
	assertStats(t, "same replace again", st, kume.ImportStats{Unchanged: 2})

	// Reimporting a closed row as open reopens it.
	st = MustImport(t, s, d.ID, opts, []kume.Establishment{in[0], in[2], in[3]})
	assertStats(t, "replace reopening a4", st, kume.ImportStats{Unchanged: 2, Updated: 1})
	if got := datasetRows(t, s, d.ID)["a4"]; got.Closed != nil {
		t.Errorf("a4 still closed at %v after reimport", got.Closed)
	}

	// An empty replace closes everything still open.
	later := at.Add(24 * time.Hour)
	st = MustImport(t, s, d.ID, kume.ImportOptions{Replace: true, ReplaceAt: later}, nil)
	assertStats(t, "empty replace", st, kume.ImportStats{Closed: 3})
	for src, e := range datasetRows(t, s, d.ID) {
		if e.Closed == nil {
			t.Errorf("%s open after an empty replace", src)
		}
	}
}

func testImportRollback(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	d := MustCreateDataset(t, s, "rollback", kume.Public)
	MustImport(t, s, d.ID, kume.ImportOptions{}, Firms())
	rows := datasetRows(t, s, d.ID)
	ds, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	v := dataVersion(t, s)

	imp, err := s.BeginImport(ctx, d.ID, kume.ImportOptions{Replace: true, ReplaceAt: date(2030, 1, 1, 0, 0, 0, 0)})
	must(t, err, "BeginImport")
	in := Firms()[:2]
	in[0].Name = "Should never be seen"
	must(t, imp.Add(ctx, in), "Add")
	must(t, imp.Add(ctx, Synthetic("rb", 20)), "Add")
	must(t, imp.Rollback(ctx), "Rollback")
	must(t, imp.Rollback(ctx), "second Rollback")

	if got := datasetRows(t, s, d.ID); !reflect.DeepEqual(got, rows) {
		t.Errorf("rollback changed the dataset's rows")
	}
	ds2, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	assertDataset(t, "after rollback", ds2, ds)
	if v2 := dataVersion(t, s); v2 != v {
		t.Errorf("DataVersion %d after rollback, was %d", v2, v)
	}

	// Rollback after Commit is a no-op.
	imp, err = s.BeginImport(ctx, d.ID, kume.ImportOptions{})
	must(t, err, "BeginImport")
	must(t, imp.Add(ctx, Synthetic("c", 2)), "Add")
	st, err := imp.Commit(ctx)
	must(t, err, "Commit")
	assertStats(t, "commit", st, kume.ImportStats{Inserted: 2})
	must(t, imp.Rollback(ctx), "Rollback after Commit")
	if n := len(datasetRows(t, s, d.ID)); n != 9 {
		t.Errorf("%d rows after commit then rollback, want 9", n)
	}
}

func testImportUncommitted(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	d := MustCreateDataset(t, s, "pending", kume.Public)
	MustImport(t, s, d.ID, kume.ImportOptions{}, Firms()[:3])
	rows := datasetRows(t, s, d.ID)
	ds, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	v := dataVersion(t, s)

	imp, err := s.BeginImport(ctx, d.ID, kume.ImportOptions{Replace: true, ReplaceAt: date(2030, 1, 1, 0, 0, 0, 0)})
	must(t, err, "BeginImport")
	defer imp.Rollback(ctx)
	in := Firms()
	in[0].Name = "Pending rename"
	must(t, imp.Add(ctx, in), "Add")

	if got := datasetRows(t, s, d.ID); !reflect.DeepEqual(got, rows) {
		t.Errorf("staged rows are visible before Commit")
	}
	n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{})
	must(t, err, "CountEstablishments")
	if n != 3 {
		t.Errorf("CountEstablishments = %d before Commit, want 3", n)
	}
	ds2, err := s.Dataset(ctx, d.ID)
	must(t, err, "Dataset")
	assertDataset(t, "before Commit", ds2, ds)
	if v2 := dataVersion(t, s); v2 != v {
		t.Errorf("DataVersion moved to %d before Commit (was %d)", v2, v)
	}

	st, err := imp.Commit(ctx)
	must(t, err, "Commit")
	assertStats(t, "commit", st, kume.ImportStats{Inserted: 4, Updated: 1, Unchanged: 2})
	got := datasetRows(t, s, d.ID)
	if len(got) != 7 || got["a1"].Name != "Pending rename" {
		t.Errorf("after Commit: %d rows, a1 named %q", len(got), got["a1"].Name)
	}
}

func testImportDuplicates(t *testing.T, open Opener) {
	dup := Firms()[0]
	dup.Name = "Duplicate"
	cases := []struct {
		name    string
		batches [][]kume.Establishment
	}{
		{"WithinOneAdd", [][]kume.Establishment{{Firms()[0], Firms()[1], dup}}},
		{"AcrossAdds", [][]kume.Establishment{{Firms()[0], Firms()[1]}, {Firms()[2], dup}}},
		{"NewRowTwice", [][]kume.Establishment{Synthetic("n", 2), Synthetic("n", 1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			d := MustCreateDataset(t, s, "dups", kume.Public)
			MustImport(t, s, d.ID, kume.ImportOptions{}, Firms()[:1])
			rows := datasetRows(t, s, d.ID)
			imp, err := s.BeginImport(ctx, d.ID, kume.ImportOptions{})
			must(t, err, "BeginImport")
			for _, b := range c.batches {
				if err = imp.Add(ctx, b); err != nil {
					break
				}
			}
			if err == nil {
				_, err = imp.Commit(ctx)
			}
			wantCode(t, err, kume.EINVALID, "duplicate source id")
			must(t, imp.Rollback(ctx), "Rollback")
			if got := datasetRows(t, s, d.ID); !reflect.DeepEqual(got, rows) {
				t.Errorf("failed import changed the dataset")
			}
		})
	}
}
