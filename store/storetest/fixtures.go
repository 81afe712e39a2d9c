package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// istanbul returns a fixed +03:00 zone so fixtures exercise the conversion to UTC.
func istanbul() *time.Location { return time.FixedZone("TRT", 3*3600) }

// Cells at kume.BaseResolution (9) and at resolution 7, with their centres
// (lon, lat) as H3 computes them, for fixtures that need real cell ids.
const (
	CellBursa9    uint64 = 0x892d3495163ffff // centre 29.058828, 40.191151
	CellBursaE9   uint64 = 0x892d3495eafffff // centre 29.081941, 40.200719
	CellDenizli9  uint64 = 0x893f61558a7ffff // centre 29.089687, 37.778817
	CellIstanbul9 uint64 = 0x891ec90247bffff // centre 28.970976, 41.009491
	CellBursa7    uint64 = 0x872d34951ffffff // centre 29.048259, 40.194853
	CellDenizli7  uint64 = 0x873f61558ffffff // centre 29.076306, 37.774093
	// CellHigh has the top bit set: stores must keep all 64 bits.
	CellHigh uint64 = 0xfedcba9876543210
)

// date returns a UTC time with a microsecond fraction.
func date(y int, m time.Month, d, hh, mm, ss, usec int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, usec*1000, time.UTC)
}

func ptrTime(t time.Time) *time.Time { return &t }

func ptrFloat(f float64) *float64 { return &f }

// Firms returns the hand-written establishments of the public fixture dataset,
// a fresh copy on every call. Source ids are "a1".."a7".
func Firms() []kume.Establishment {
	return []kume.Establishment{
		{
			SourceID: "a1", Name: "Bursa İpek Dokuma A.Ş.", Kind: kume.KindFirm, NACE: "13.20",
			Employees: kume.EmployeeBand(10, 49),
			Founded:   ptrTime(date(2010, 5, 1, 0, 0, 0, 0)),
			Address: kume.Address{Street: "Organize Sanayi Bölgesi 3. Cad. No:5", Postcode: "16140",
				District: "Nilüfer", Province: "Bursa", Country: "TR"},
			Lon: 29.06, Lat: 40.19, Precision: kume.PrecisionAddress, GeocodeSource: "source",
			Cell:  CellBursa9,
			Attrs: map[string]string{"tax_no": "1234567890", "website": "https://ipek.example"},
		},
		{
			SourceID: "a2", Name: "Kapalı Örme Ltd.", Kind: kume.KindFirm, NACE: "13.9",
			Employees: kume.ExactEmployees(7),
			Founded:   ptrTime(time.Date(2015, 3, 4, 8, 6, 7, 123456000, istanbul())),
			Closed:    ptrTime(date(2020, 1, 1, 0, 0, 0, 0)),
			Address:   kume.Address{Province: "Bursa", Country: "TR"},
			Lon:       29.08, Lat: 40.20, Precision: kume.PrecisionStreet, GeocodeSource: "gazetteer",
			Cell: CellBursaE9,
		},
		{
			SourceID: "a3", Name: "Konfeksiyon \"Yıldız\"\tve Ortakları", Kind: kume.KindFirm, NACE: "14.13",
			Address: kume.Address{District: "Fatih", Province: "İstanbul"},
			Lon:     28.97, Lat: 41.01, Precision: kume.PrecisionDistrict, GeocodeSource: "gazetteer",
			Cell: CellHigh,
		},
		{
			SourceID: "a4", Name: "Pamukkale Üniversitesi", Kind: kume.KindInstitution, Type: kume.University,
			NACE: "85.42", Employees: kume.EmployeeBand(1000, -1),
			Lon: 29.09, Lat: 37.78, Precision: kume.PrecisionPostcode,
			Attrs: map[string]string{"": "empty key", "note": ""},
		},
		{
			SourceID: "a5", Name: "Köşe Gıda", Kind: kume.KindFirm, Employees: kume.ExactEmployees(0),
			Founded: ptrTime(date(2021, 6, 1, 12, 30, 0, 999999)),
			Lon:     29.0, Lat: 40.0, Precision: kume.PrecisionProvince,
		},
		{
			SourceID: "a6", Name: "Bursa OSB", Kind: kume.KindInstitution, Type: kume.OSB,
			Lon: 29.10, Lat: 40.25, Precision: kume.PrecisionAddress, Cell: CellBursaE9,
		},
		{
			SourceID: "a7", Name: "Ankara Un Fabrikası", Kind: kume.KindFirm, NACE: "10.61",
			Employees: kume.EmployeeBand(50, 249),
			Founded:   ptrTime(date(1950, 1, 1, 0, 0, 0, 0)),
			Lon:       32.85, Lat: 39.93, Precision: kume.PrecisionCountry, GeocodeSource: "source",
		},
	}
}

// PrivateFirms returns the establishments of the private fixture dataset. Its
// "a1" shares a source id with Firms to show ids are unique per dataset only.
func PrivateFirms() []kume.Establishment {
	return []kume.Establishment{
		{
			SourceID: "a1", Name: "Gizli Tekstil", Kind: kume.KindFirm, NACE: "13.20",
			Employees: kume.ExactEmployees(120), Lon: 29.07, Lat: 40.19,
			Precision: kume.PrecisionAddress, Cell: CellBursa9,
		},
		{
			SourceID: "b2", Name: "Bursa Ticaret ve Sanayi Odası", Kind: kume.KindInstitution,
			Type: kume.Chamber, Lon: 29.05, Lat: 40.18, Precision: kume.PrecisionAddress,
		},
	}
}

// Synthetic returns n deterministic establishments spread over Türkiye, with
// source ids prefix0..prefix(n-1). It suits large and concurrent tests.
func Synthetic(prefix string, n int) []kume.Establishment {
	naces := []string{"13.20", "13.91", "14.13", "10.61", "25.62", "29.32", "46.41", ""}
	provinces := []string{"Bursa", "İstanbul", "Denizli", "Ankara", "Gaziantep", "Kayseri"}
	rows := make([]kume.Establishment, n)
	for i := range rows {
		// A fixed multiplicative sequence gives well spread, repeatable points.
		u := uint64(i)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
		lon := 26 + float64(u>>40%18000)/1000 // 26..44
		lat := 36 + float64(u>>20%6000)/1000  // 36..42
		founded := date(1990+int(u%30), time.Month(1+u%12), 1+int(u%28), 0, 0, 0, 0)
		e := kume.Establishment{
			SourceID: fmt.Sprintf("%s%d", prefix, i), Name: fmt.Sprintf("Firma %d", i),
			Kind: kume.KindFirm, NACE: naces[i%len(naces)],
			Employees: kume.EmployeeBand(int(u%10)*10, int(u%10)*10+9),
			Founded:   &founded,
			Address:   kume.Address{Province: provinces[i%len(provinces)], Country: "TR"},
			Lon:       lon, Lat: lat, Precision: kume.PrecisionAddress, GeocodeSource: "source",
			Cell: uint64(0x8900000000000000) | u>>8,
		}
		if i%17 == 0 {
			e.Kind, e.Type, e.NACE = kume.KindInstitution, kume.Chamber, ""
		}
		if i%5 == 0 {
			e.Attrs = map[string]string{"row": fmt.Sprint(i)}
		}
		rows[i] = e
	}
	return rows
}

// MustCreateDataset creates a dataset with the given name and visibility.
func MustCreateDataset(tb testing.TB, s kume.DatasetStore, name string, vis kume.Visibility) *kume.Dataset {
	tb.Helper()
	d := &kume.Dataset{Name: name, Source: "fixture", Licence: "CC-BY-4.0",
		Attribution: "kume tests", Visibility: vis}
	if err := s.CreateDataset(tb.Context(), d); err != nil {
		tb.Fatalf("CreateDataset(%q): %v", name, err)
	}
	return d
}

// MustImport imports rows into the dataset in one transaction, adding them in
// batches of three to exercise repeated Add calls, and returns the stats.
func MustImport(tb testing.TB, s kume.EstablishmentStore, datasetID int64, opts kume.ImportOptions, rows []kume.Establishment) kume.ImportStats {
	tb.Helper()
	ctx := tb.Context()
	imp, err := s.BeginImport(ctx, datasetID, opts)
	if err != nil {
		tb.Fatalf("BeginImport(%d): %v", datasetID, err)
	}
	defer imp.Rollback(ctx)
	batch := 3
	if len(rows) > 300 {
		batch = 1000
	}
	for i := 0; i < len(rows); i += batch {
		if err := imp.Add(ctx, rows[i:min(i+batch, len(rows))]); err != nil {
			tb.Fatalf("Add: %v", err)
		}
	}
	st, err := imp.Commit(ctx)
	if err != nil {
		tb.Fatalf("Commit: %v", err)
	}
	return st
}

// fixture is a store loaded with the public dataset "pub" (Firms) and the
// private dataset "priv" (PrivateFirms).
type fixture struct {
	s          kume.Store
	pub, priv  *kume.Dataset
	bySource   map[string]kume.Establishment // "pub:a1" → stored row
	inputByKey map[string]kume.Establishment // "pub:a1" → input row
}

func loadFixture(t *testing.T, open Opener) *fixture {
	t.Helper()
	s := open(t)
	f := &fixture{s: s, bySource: map[string]kume.Establishment{}, inputByKey: map[string]kume.Establishment{}}
	f.pub = MustCreateDataset(t, s, "pub", kume.Public)
	f.priv = MustCreateDataset(t, s, "priv", kume.Private)
	MustImport(t, s, f.pub.ID, kume.ImportOptions{}, Firms())
	MustImport(t, s, f.priv.ID, kume.ImportOptions{}, PrivateFirms())
	for _, e := range Firms() {
		f.inputByKey["pub:"+e.SourceID] = e
	}
	for _, e := range PrivateFirms() {
		f.inputByKey["priv:"+e.SourceID] = e
	}
	all, err := s.Establishments(t.Context(), kume.EstablishmentFilter{})
	must(t, err, "Establishments")
	for _, e := range all {
		f.bySource[f.key(e)] = e
	}
	if len(f.bySource) != len(f.inputByKey) {
		t.Fatalf("fixture: %d establishments stored, want %d", len(f.bySource), len(f.inputByKey))
	}
	return f
}

// key names a row as "<dataset name>:<source id>".
func (f *fixture) key(e kume.Establishment) string {
	switch e.DatasetID {
	case f.pub.ID:
		return "pub:" + e.SourceID
	case f.priv.ID:
		return "priv:" + e.SourceID
	}
	return fmt.Sprintf("%d:%s", e.DatasetID, e.SourceID)
}

// Fill loads s with every fixture: the public and private datasets with their
// establishments (one row closed by a Replace), regions, two value chains, two
// keys (one revoked, one granted read on the private dataset) and the public
// analysis result.
func Fill(tb testing.TB, s kume.Store) {
	tb.Helper()
	ctx := tb.Context()
	pub := MustCreateDataset(tb, s, "pub", kume.Public)
	priv := MustCreateDataset(tb, s, "priv", kume.Private)
	MustImport(tb, s, pub.ID, kume.ImportOptions{}, Firms())
	MustImport(tb, s, priv.ID, kume.ImportOptions{}, PrivateFirms())
	MustImport(tb, s, priv.ID, kume.ImportOptions{Replace: true, ReplaceAt: date(2024, 6, 1, 0, 0, 0, 0)}, PrivateFirms()[1:])
	steps := []struct {
		what string
		err  error
	}{
		{"PutRegions", s.PutRegions(ctx, Regions())},
		{"PutValueChain", s.PutValueChain(ctx, kume.ValueChain{ID: "textiles",
			Name:  map[string]string{"en": "Textiles", "tr": "Tekstil"},
			Roles: map[kume.Role][]string{kume.RoleCore: {"13", "14"}, kume.RoleSupplier: {"20.60"}}})},
		{"PutValueChain", s.PutValueChain(ctx, kume.ValueChain{ID: "food", Name: map[string]string{"en": "Food"},
			Roles: map[kume.Role][]string{kume.RoleCore: {"10"}}, Source: "test"})},
	}
	for _, st := range steps {
		if st.err != nil {
			tb.Fatalf("Fill: %s: %v", st.what, st.err)
		}
	}
	for i, name := range []string{"reader", "writer"} {
		k := &kume.APIKey{Name: name, Scope: kume.ScopeRead, Hash: []byte(fmt.Sprintf("hash-%032d", i))}
		if i == 1 {
			k.Grants = []kume.Grant{{DatasetID: priv.ID, Right: kume.RightRead}}
		}
		if err := s.CreateKey(ctx, k); err != nil {
			tb.Fatalf("Fill: CreateKey: %v", err)
		}
		if i == 0 {
			if err := s.RevokeKey(ctx, k.ID); err != nil {
				tb.Fatalf("Fill: RevokeKey: %v", err)
			}
		}
	}
	pubRun := AnalysisResult()
	pubRun.Run.Datasets = []kume.AnalysisDataset{{ID: pub.ID, Name: pub.Name, Visibility: kume.Public}}
	pubRun.Run.Omitted = []kume.AnalysisDataset{{ID: priv.ID, Name: priv.Name, Visibility: kume.Private, Reason: kume.OmitPrivate}}
	if _, err := s.SaveAnalysis(ctx, pubRun); err != nil {
		tb.Fatalf("Fill: SaveAnalysis: %v", err)
	}
}

// PrivateAnalysis returns an analysis of the scope of the datasets pub and
// priv: AnalysisResult with every count doubled, recording what it read.
func PrivateAnalysis(pub, priv *kume.Dataset) *kume.AnalysisResult {
	r := AnalysisResult()
	r.Run.Scope = kume.DatasetsScope([]int64{pub.ID, priv.ID})
	r.Run.Datasets = []kume.AnalysisDataset{{ID: pub.ID, Name: pub.Name, Visibility: pub.Visibility},
		{ID: priv.ID, Name: priv.Name, Visibility: priv.Visibility}}
	r.Run.Params = []byte(`{"private":true}`)
	for i := range r.Cells {
		r.Cells[i].Firms *= 2
	}
	for i := range r.Clusters {
		r.Clusters[i].Firms *= 2
	}
	for i := range r.Regions {
		r.Regions[i].Firms *= 2
	}
	return r
}
