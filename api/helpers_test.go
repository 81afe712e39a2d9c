package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/layer"
)

// testKeys are the secrets of the fixture's keys by scope.
type testKeys map[kume.Scope]string

// testStore is a real store (the kind the test runs on) holding the
// fixture, with what the fixture put in it for the tests to compare with.
type testStore struct {
	kume.Store
	kind            teststores.Kind
	public, private *kume.Dataset
	// ests are the fixture's establishments, in the order they were made,
	// with the ids the store gave them.
	ests []kume.Establishment
	// analysis is the current analysis as it was saved.
	analysis kume.AnalysisResult
}

// fixture returns a new store of the kind with a public and a private dataset
// (ids 1 and 2), 250 public establishments around Istanbul (ids 1 to 250, one
// in five an institution), 5 private ones (251 to 255), a region with its
// statistics, cell statistics at resolution 7, one cluster and the analysis
// run that holds them, and a key of each scope (read 1, write 2, admin 3).
func fixture(t testing.TB, kind teststores.Kind) (*testStore, testKeys) {
	t.Helper()
	ctx := context.Background()
	st := &testStore{Store: teststores.Open(t, kind), kind: kind,
		public:  &kume.Dataset{Name: "demo", Visibility: kume.Public, Attribution: "Demo register", Licence: "CC-BY-4.0"},
		private: &kume.Dataset{Name: "secret", Visibility: kume.Private, Attribution: "Confidential"}}
	for _, d := range []*kume.Dataset{st.public, st.private} {
		if err := st.CreateDataset(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 255; i++ {
		n := int64(i + 1)
		e := kume.Establishment{DatasetID: st.public.ID, SourceID: "s" + itoa(n), Name: "Firm " + itoa(n),
			Kind: kume.KindFirm, NACE: "13.20", Lon: 28.9 + float64(i%16)*0.01, Lat: 41.0 + float64(i/16)*0.01,
			Precision: kume.PrecisionAddress, Employees: kume.ExactEmployees(10)}
		if i%5 == 0 {
			e.Kind, e.Type, e.NACE = kume.KindInstitution, kume.University, ""
		}
		if i >= 250 {
			e.DatasetID, e.Name = st.private.ID, "Hidden "+itoa(n)
		}
		st.ests = append(st.ests, e)
	}
	st.reimport(t, nil)
	// A new store numbers datasets, establishments and keys from 1 in the
	// order they are made, and the tests name them by these numbers.
	for i, e := range st.ests {
		if e.ID != int64(i+1) || st.public.ID != 1 || st.private.ID != 2 {
			t.Fatalf("the %s store gave establishment %d the id %d, the datasets %d and %d", kind, i+1, e.ID, st.public.ID, st.private.ID)
		}
	}
	if err := st.PutRegions(ctx, []kume.Region{{Code: "34", Name: "İstanbul", Level: "province", Geometry: orb.MultiPolygon{{{
		{28.85, 40.95}, {29.2, 40.95}, {29.2, 41.3}, {28.85, 41.3}, {28.85, 40.95}}}}}}); err != nil {
		t.Fatal(err)
	}
	origin := h3.LatLngToCell(h3.NewLatLng(41.05, 28.98), 7)
	var cells []uint64
	a := &st.analysis
	for i, c := range h3.GridDisk(origin, 2) {
		lq := 1.5
		a.Cells = append(a.Cells, kume.CellStat{Res: 7, Cell: uint64(c), Firms: i % 4, Employees: float64(10 * (i % 4)), LQ: &lq, Suppressed: i%4 == 1})
		if i < 3 {
			cells = append(cells, uint64(c))
		}
	}
	lq := 2.0
	a.Clusters = []kume.Cluster{{ID: "c-13-7-1", Sector: "13", Res: 7, Name: "Textiles Istanbul", Cells: cells, Firms: 120, LQ: &lq}}
	a.Regions = []kume.RegionStat{{Level: "province", Code: "34", Sector: "", Firms: 200, Employees: 2000}}
	a.Run.Params = json.RawMessage(`{"k":1,"fdr":true,"disclosure_k":3}`)
	st.saveAnalysis(t, nil)
	keys := testKeys{}
	for _, sc := range []kume.Scope{kume.ScopeRead, kume.ScopeWrite, kume.ScopeAdmin} {
		secret, hash, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		k := &kume.APIKey{Name: string(sc), Scope: sc, Hash: hash}
		switch sc {
		case kume.ScopeRead:
			k.Grants = []kume.Grant{{DatasetID: st.private.ID, Right: kume.RightRead}}
		case kume.ScopeWrite:
			k.Grants = []kume.Grant{{DatasetID: st.public.ID, Right: kume.RightWrite}, {DatasetID: st.private.ID, Right: kume.RightWrite}}
		}
		if err := st.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		if k.ID != int64(len(keys)+1) {
			t.Fatalf("the %s store gave the %s key the id %d", kind, sc, k.ID)
		}
		keys[sc] = secret
	}
	return st, keys
}

// saveAnalysis saves the current analysis, changed by change (nil: as it
// is), as a new version.
func (s *testStore) saveAnalysis(t testing.TB, change func(r *kume.AnalysisResult)) {
	t.Helper()
	teststores.SaveAnalysis(t, s, &s.analysis, change)
}

// reimport imports the fixture's establishments again, changed by change
// (nil: as they are), into their datasets, and reads back their ids.
func (s *testStore) reimport(t testing.TB, change func(ests []kume.Establishment)) {
	t.Helper()
	if change != nil {
		change(s.ests)
	}
	teststores.Import(t, s, s.ests)
}

// dataVersion returns the store's data version.
func (s *testStore) dataVersion(t testing.TB) int64 {
	t.Helper()
	v, err := s.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// onStores runs test on each store (see teststores.Run).
func onStores(t *testing.T, test func(t *testing.T, kind teststores.Kind)) {
	t.Helper()
	teststores.Run(t, test)
}

// newTestServer returns a Server over the fixture on a store of the kind,
// with rate limits off.
func newTestServer(t testing.TB, kind teststores.Kind, mod func(*Config, *Deps)) (*Server, *testStore, testKeys) {
	t.Helper()
	st, keys := fixture(t, kind)
	cfg := DefaultConfig()
	cfg.API.RatePerIP, cfg.API.RatePerKey = 0, 0
	cfg.API.MaxLimit = 1000
	d := Deps{Store: st, Web: fstest.MapFS{"index.html": {Data: []byte("<html></html>")}},
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Sectors: SectorSearchFunc(func(q, level string, limit int) []Sector {
			if strings.Contains(strings.ToLower(q), "tekstil") || strings.Contains(strings.ToLower(q), "textile") {
				return []Sector{{Code: "13", Level: "division", Parent: "C", NameEN: "Manufacture of textiles", NameTR: "Tekstil ürünlerinin imalatı"}}
			}
			return nil
		}),
	}
	d.Ranker = StoreRanker{Store: st}
	if mod != nil {
		mod(&cfg, &d)
	}
	if d.Store == nil {
		d.Store = st
	}
	if d.SectorKeys == nil {
		d.SectorKeys = mustSectorKeys(t, d.Store)
	}
	return New(cfg, d), st, keys
}

// do sends a request through the handler; key "" sends none.
func do(t testing.TB, h http.Handler, method, target, key string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decode decodes a JSON response body.
func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON: %v: %.300s", err, rec.Body.String())
	}
	return m
}

// mustSectorKeys returns the sector keys of the shipped taxonomy with the
// value chains in force in st.
func mustSectorKeys(t testing.TB, st layer.ChainStore) *layer.Sectors {
	t.Helper()
	keys, err := layer.NewSectors(nil, st)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
