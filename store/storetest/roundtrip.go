package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// testRoundTrip stores unusual but valid values and reads every field back.
func testRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	d := MustCreateDataset(t, s, "edge cases", kume.Public)
	cases := []kume.Establishment{
		{SourceID: "cell-top-bit", Name: "x", Kind: kume.KindFirm, Cell: 1 << 63, Precision: kume.PrecisionAddress},
		{SourceID: "cell-max", Name: "x", Kind: kume.KindFirm, Cell: ^uint64(0), Precision: kume.PrecisionAddress},
		{SourceID: "cell-high", Name: "x", Kind: kume.KindFirm, Cell: CellHigh, Precision: kume.PrecisionAddress},
		{SourceID: "open-band", Name: "x", Kind: kume.KindFirm, Employees: kume.EmployeeBand(0, -1)},
		{SourceID: "exact-zero", Name: "x", Kind: kume.KindFirm, Employees: kume.ExactEmployees(0)},
		{SourceID: "unknown", Name: "x", Kind: kume.KindFirm, Employees: kume.Employees{}},
		{SourceID: "big-band", Name: "x", Kind: kume.KindFirm, Employees: kume.EmployeeBand(100000, 500000)},
		{SourceID: "old-and-future", Name: "x", Kind: kume.KindFirm,
			Founded: ptrTime(time.Date(1871, 7, 14, 9, 30, 15, 250000, time.UTC)),
			Closed:  ptrTime(time.Date(2100, 12, 31, 23, 59, 59, 999999000, istanbul()))},
		{SourceID: "corner-ne", Name: "x", Kind: kume.KindFirm, Lon: 180, Lat: 90},
		{SourceID: "corner-sw", Name: "x", Kind: kume.KindFirm, Lon: -180, Lat: -90},
		{SourceID: "tiny", Name: "x", Kind: kume.KindFirm, Lon: 1e-9, Lat: -0.123456789012345},
		{SourceID: "text", Name: "Çağrı & Şükrü \"Özel\" <Ltd>\nikinci satır 🏭 ' ; --",
			Kind: kume.KindInstitution, Type: kume.ResearchInstitute, NACE: "72.19",
			Address:       kume.Address{Street: "Atatürk Bulv. No:1/A", Postcode: "06100", District: "Çankaya", Province: "Ankara", Country: "TR"},
			GeocodeSource: "nominatim", Precision: kume.PrecisionStreet,
			Attrs: map[string]string{"ünicode": "değer", "json": `{"a":[1,2]}`, "long": strings.Repeat("x", 5000)}},
		{SourceID: strings.Repeat("s", 200), Name: strings.Repeat("N", 1000), Kind: kume.KindFirm},
	}
	MustImport(t, s, d.ID, kume.ImportOptions{}, cases)
	rows := datasetRows(t, s, d.ID)
	for _, want := range cases {
		got, ok := rows[want.SourceID]
		if !ok {
			t.Errorf("%.20s missing", want.SourceID)
			continue
		}
		want.ID, want.DatasetID = got.ID, d.ID
		AssertSameEstablishment(t, "Establishments "+want.SourceID[:min(20, len(want.SourceID))], got, want)
		one, err := s.Establishment(ctx, got.ID)
		must(t, err, "Establishment")
		AssertSameEstablishment(t, "Establishment "+want.SourceID[:min(20, len(want.SourceID))], *one, want)
	}
	// Re-importing the values read back changes nothing: nothing was lost.
	st := MustImport(t, s, d.ID, kume.ImportOptions{}, cases)
	assertStats(t, "re-import", st, kume.ImportStats{Unchanged: len(cases)})
}

func testDeleteDataset(t *testing.T, open Opener) {
	f := loadFixture(t, open)
	s, ctx := f.s, t.Context()
	v := dataVersion(t, s)
	pubRow := f.bySource["pub:a1"]
	must(t, s.DeleteDataset(ctx, f.pub.ID), "DeleteDataset")
	if v2 := dataVersion(t, s); v2 <= v {
		t.Errorf("DataVersion %d after deleting a dataset, was %d", v2, v)
	}
	_, err := s.Dataset(ctx, f.pub.ID)
	wantCode(t, err, kume.ENOTFOUND, "Dataset(deleted)")
	_, err = s.Establishment(ctx, pubRow.ID)
	wantCode(t, err, kume.ENOTFOUND, "Establishment of a deleted dataset")
	rows, err := s.Establishments(ctx, kume.EstablishmentFilter{})
	must(t, err, "Establishments")
	if got := f.keys(rows); strings.Join(got, ",") != "priv:a1,priv:b2" {
		t.Errorf("after DeleteDataset: %v, want only the other dataset", got)
	}
	n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{f.pub.ID}})
	must(t, err, "CountEstablishments")
	if n != 0 {
		t.Errorf("%d establishments left in the deleted dataset", n)
	}
	list, err := s.Datasets(ctx)
	must(t, err, "Datasets")
	if len(list) != 1 || list[0].ID != f.priv.ID {
		t.Errorf("Datasets after delete = %+v", list)
	}
	wantCode(t, s.DeleteDataset(ctx, f.pub.ID), kume.ENOTFOUND, "DeleteDataset twice")

	// The name is free again, and the new dataset starts empty with fresh ids.
	again := MustCreateDataset(t, s, "pub", kume.Public)
	if again.ID == f.pub.ID {
		t.Errorf("a deleted dataset id was reused")
	}
	st := MustImport(t, s, again.ID, kume.ImportOptions{}, Firms())
	assertStats(t, "import into the recreated dataset", st, kume.ImportStats{Inserted: 7})
	for _, e := range datasetRows(t, s, again.ID) {
		if e.ID == pubRow.ID {
			t.Errorf("establishment id %d of a deleted dataset was reused", e.ID)
		}
	}
}
