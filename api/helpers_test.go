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
	"github.com/kume-geo/kume/layer"
)

// testKeys are the secrets of the fixture's keys by scope.
type testKeys map[kume.Scope]string

// fixture returns a store with a public and a private dataset, 250 public
// establishments around Istanbul, 5 private ones, a region, cell statistics
// at resolution 7, one cluster and an analysis run. The read key is granted
// read on the private dataset, the write key write on both.
func fixture(t testing.TB) (*fakeStore, testKeys) {
	t.Helper()
	st := &fakeStore{version: 7}
	ctx := context.Background()
	pub := &kume.Dataset{Name: "demo", Visibility: kume.Public, Attribution: "Demo register", Licence: "CC-BY-4.0"}
	priv := &kume.Dataset{Name: "secret", Visibility: kume.Private, Attribution: "Confidential"}
	if err := st.CreateDataset(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateDataset(ctx, priv); err != nil {
		t.Fatal(err)
	}
	id := int64(0)
	for i := 0; i < 255; i++ {
		id++
		e := kume.Establishment{ID: id, DatasetID: pub.ID, SourceID: "s" + itoa(id), Name: "Firm " + itoa(id),
			Kind: kume.KindFirm, NACE: "13.20", Lon: 28.9 + float64(i%16)*0.01, Lat: 41.0 + float64(i/16)*0.01,
			Precision: kume.PrecisionAddress, Employees: kume.ExactEmployees(10)}
		if i%5 == 0 {
			e.Kind, e.Type, e.NACE = kume.KindInstitution, kume.University, ""
		}
		if i >= 250 {
			e.DatasetID, e.Name = priv.ID, "Hidden "+itoa(id)
		}
		st.ests = append(st.ests, e)
	}
	st.regions = []kume.Region{{Code: "34", Name: "İstanbul", Level: "province", Geometry: orb.MultiPolygon{{{
		{28.85, 40.95}, {29.2, 40.95}, {29.2, 41.3}, {28.85, 41.3}, {28.85, 40.95}}}}}}
	st.rstats = []kume.RegionStat{{Level: "province", Code: "34", Sector: "", Firms: 200, Employees: 2000}}
	origin := h3.LatLngToCell(h3.NewLatLng(41.05, 28.98), 7)
	disk := h3.GridDisk(origin, 2)
	var cells []uint64
	for i, c := range disk {
		lq := 1.5
		st.cells = append(st.cells, kume.CellStat{Res: 7, Cell: uint64(c), Firms: i % 4, Employees: float64(10 * (i % 4)), LQ: &lq, Suppressed: i%4 == 1})
		if i < 3 {
			cells = append(cells, uint64(c))
		}
	}
	lq := 2.0
	st.clusters = []kume.Cluster{{ID: "c-13-7-1", Sector: "13", Res: 7, Name: "Textiles Istanbul", Cells: cells, Firms: 120, LQ: &lq}}
	st.run = &kume.AnalysisRun{Version: 7, Params: json.RawMessage(`{"k":1,"fdr":true,"disclosure_k":3}`)}
	keys := testKeys{}
	for _, sc := range []kume.Scope{kume.ScopeRead, kume.ScopeWrite, kume.ScopeAdmin} {
		secret, hash, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		k := &kume.APIKey{Name: string(sc), Scope: sc, Hash: hash}
		switch sc {
		case kume.ScopeRead:
			k.Grants = []kume.Grant{{DatasetID: priv.ID, Right: kume.RightRead}}
		case kume.ScopeWrite:
			k.Grants = []kume.Grant{{DatasetID: pub.ID, Right: kume.RightWrite}, {DatasetID: priv.ID, Right: kume.RightWrite}}
		}
		if err := st.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		keys[sc] = secret
	}
	return st, keys
}

// newTestServer returns a Server over the fixture with rate limits off.
func newTestServer(t testing.TB, mod func(*Config, *Deps)) (*Server, *fakeStore, testKeys) {
	t.Helper()
	st, keys := fixture(t)
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
	d.Ranker = fakeRanker{}
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

// fakeRanker ranks the one fixture region.
type fakeRanker struct{}

func (fakeRanker) Rank(_ context.Context, req RankRequest) (RankResult, error) {
	if req.Level != "" && req.Level != "province" {
		return RankResult{}, nil
	}
	return RankResult{Method: "fake", Items: []RankItem{{Rank: 1, ID: "province:34", Name: "İstanbul", Score: 1}}}, nil
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
