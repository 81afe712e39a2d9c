package api

import (
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// publicViewServer returns a server on a store of the kind holding a
// suppressed cell, cluster and region statistic of sector 13 near Bursa, each
// with every number set, and a read key.
func publicViewServer(t *testing.T, kind teststores.Kind) (http.Handler, string, uint64) {
	t.Helper()
	ctx := t.Context()
	st := teststores.Open(t, kind)
	f := func(v float64) *float64 { return &v }
	centre := h3.LatLngToCell(h3.NewLatLng(40.19, 29.06), 7)
	var cells []kume.CellStat
	for i, c := range h3.GridDisk(centre, 1) {
		cells = append(cells, kume.CellStat{Res: 7, Cell: uint64(c), Sector: "13", Firms: 10 + i, Employees: 100, LQ: f(1.2),
			GiZ: f(0.5), GiP: f(0.6), GiBin: 0})
	}
	for i := range cells {
		if cells[i].Cell == uint64(centre) {
			cells[i] = kume.CellStat{Res: 7, Cell: uint64(centre), Sector: "13", Firms: 2, Closed: 1, Employees: 50,
				EmployeesEstimated: 5, Imprecise: 1, LQ: f(3), GiZ: f(2.5), GiP: f(0.01), GiBin: 2, Suppressed: true}
		}
	}
	square := orb.MultiPolygon{{{{29.0, 40.15}, {29.1, 40.15}, {29.1, 40.25}, {29.0, 40.25}, {29.0, 40.15}}}}
	res := &kume.AnalysisResult{
		Run:   kume.AnalysisRun{Params: json.RawMessage(`{"resolutions":[7],"k":1}`)},
		Cells: cells,
		Clusters: []kume.Cluster{{ID: "13-7-s", Sector: "13", Res: 7, Name: "Bursa – Textiles", NameTR: "Bursa – Tekstil", Place: "Bursa", Method: "specialisation", Cells: []uint64{uint64(centre)},
			Geometry: square, Firms: 2, Employees: 9, LQ: f(3), Share: 0.5, Stars: 2,
			InstitutionsInside: map[kume.InstitutionType]int{kume.University: 1},
			InstitutionsNear:   map[kume.InstitutionType]int{kume.Chamber: 2},
			RolesPresent:       []kume.Role{kume.RoleCore}, RolesMissing: []kume.Role{kume.RoleService},
			Completeness: f(0.5), Profile: json.RawMessage(`{"score":0.7}`), Suppressed: true}},
		Regions: []kume.RegionStat{{Level: "province", Code: "16", Sector: "13", Firms: 1, Employees: 40, LQ: f(2),
			LQEmployed: f(1.5), Stars: 3, Strong: true, Entries: 1, Exits: 1, Suppressed: true}},
	}
	if err := st.PutRegions(ctx, []kume.Region{{Level: "province", Code: "16", Name: "Bursa", Parent: "TR4", Geometry: square}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveAnalysis(ctx, res); err != nil {
		t.Fatal(err)
	}
	secret, hash, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(ctx, &kume.APIKey{Name: "reader", Scope: kume.ScopeRead, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	keys := mustSectorKeys(t, st)
	ts, err := tiles.New(st, tiles.Config{CacheBytes: -1, Resolutions: []int{7}, ResByZoom: []int{7}, Sectors: keys})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.API.RatePerIP, cfg.API.RatePerKey = 0, 0
	return New(cfg, Deps{Store: st, Log: slog.New(slog.DiscardHandler), Tiles: ts, SectorKeys: keys}), secret, uint64(centre)
}

// shownKeys returns the sorted names of the members of props that hold a
// value (not null, not an empty CSV field).
func shownKeys(props map[string]any) []string {
	var out []string
	for k, v := range props {
		if v != nil && v != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// identity returns the sorted identity properties of a layer among names.
func identity[T any](l *layer.Layer[T], names []string) []string {
	var out []string
	for _, n := range names {
		if l.Identity(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// TestPublicViewIdentical: a suppressed hexagon, cluster and region statistic
// show an anonymous caller the same thing on every face — vector tiles,
// GeoJSON and CSV exports, OGC items, the JSON API (hexagons, clusters, a
// cluster, a region's profile, local Moran's I): their identity properties
// and suppressed, every other property null or absent (layer.Withheld). A
// caller with a key sees the numbers.
func TestPublicViewIdentical(t *testing.T) { onStores(t, testPublicViewIdentical) }

func testPublicViewIdentical(t *testing.T, kind teststores.Kind) {
	h, key, cell := publicViewServer(t, kind)
	hex, cls, regs := layer.HexagonLayer(), layer.ClusterLayer(), layer.RegionLayer()
	mt := maptile.At(orb.Point{29.06, 40.19}, 9)
	tile := func(name string) map[string]any {
		t.Helper()
		rec := do(t, h, http.MethodGet, "/tiles/"+name+"/9/"+itoa(int64(mt.X))+"/"+itoa(int64(mt.Y))+".mvt?sector=13", "", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s tile: %d %s", name, rec.Code, rec.Body.String())
		}
		ls, err := mvtcheck.Decode(rec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			for _, f := range l.Features {
				if f.Props["suppressed"] == true {
					return f.Props
				}
			}
		}
		t.Fatalf("%s tile: no suppressed feature", name)
		return nil
	}
	feature := func(target, k string) map[string]any {
		t.Helper()
		rec := do(t, h, http.MethodGet, target, k, nil)
		var fc struct {
			Features []struct {
				Properties map[string]any `json:"properties"`
			} `json:"features"`
			Properties map[string]any `json:"properties"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &fc) != nil {
			t.Fatalf("%s: %d %.300s", target, rec.Code, rec.Body.String())
		}
		if fc.Properties != nil {
			return fc.Properties
		}
		for _, f := range fc.Features {
			if f.Properties["suppressed"] == true {
				return f.Properties
			}
		}
		t.Fatalf("%s: no suppressed feature", target)
		return nil
	}
	row := func(target, k string) map[string]any {
		t.Helper()
		rec := do(t, h, http.MethodGet, target, k, nil)
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if rec.Code != http.StatusOK || err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d %v %.300s", target, rec.Code, err, rec.Body.String())
		}
		col := slices.Index(rows[0], "suppressed")
		for _, r := range rows[1:] {
			if r[col] == "true" {
				m := map[string]any{}
				for i, name := range rows[0] {
					if name != "wkt" && name != "lon" && name != "lat" {
						m[name] = r[i]
					}
				}
				return m
			}
		}
		t.Fatalf("%s: no suppressed row", target)
		return nil
	}
	object := func(target, k, member string) map[string]any {
		t.Helper()
		rec := do(t, h, http.MethodGet, target, k, nil)
		var m map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
			t.Fatalf("%s: %d %.300s", target, rec.Code, rec.Body.String())
		}
		switch v := m[member].(type) {
		case map[string]any:
			return v
		case []any:
			return v[0].(map[string]any)
		}
		if member == "" {
			return m
		}
		t.Fatalf("%s: no member %s", target, member)
		return nil
	}
	keysOf := func(m map[string]any) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	type face struct {
		name string
		get  func(k string) map[string]any
		idty func(names []string) []string
	}
	hexID := func(n []string) []string { return identity(hex, n) }
	clsID := func(n []string) []string { return identity(cls, n) }
	regID := func(n []string) []string { return identity(regs, n) }
	faces := []face{
		{"hexagons tile", func(string) map[string]any { return tile("hexagons") }, hexID},
		{"hexagons GeoJSON export", func(k string) map[string]any {
			return feature("/api/v1/export/hexagons.geojson?res=7&sector=13", k)
		}, hexID},
		{"hexagons CSV export", func(k string) map[string]any { return row("/api/v1/export/hexagons.csv?res=7&sector=13", k) }, hexID},
		{"hexagons OGC items", func(k string) map[string]any {
			return feature("/ogc/collections/hexagons/items?res=7&sector=13", k)
		}, hexID},
		{"hexagons OGC item", func(k string) map[string]any {
			return feature("/ogc/collections/hexagons/items/"+layer.CellID(cell)+"?sector=13", k)
		}, hexID},
		{"hexagons JSON API", func(k string) map[string]any { return feature("/api/v1/hexagons?res=7&sector=13", k) }, hexID},
		{"local Moran's I", func(k string) map[string]any {
			return feature("/api/v1/lisa?res=7&sector=13&permutations=99", k)
		}, hexID},
		{"clusters tile", func(string) map[string]any { return tile("clusters") }, clsID},
		{"clusters GeoJSON export", func(k string) map[string]any {
			return feature("/api/v1/export/clusters.geojson?sector=13", k)
		}, clsID},
		{"clusters CSV export", func(k string) map[string]any { return row("/api/v1/export/clusters.csv?sector=13", k) }, clsID},
		{"clusters OGC item", func(k string) map[string]any { return feature("/ogc/collections/clusters/items/13-7-s", k) }, clsID},
		{"clusters JSON API", func(k string) map[string]any { return object("/api/v1/clusters?sector=13", k, "clusters") }, clsID},
		{"cluster JSON API", func(k string) map[string]any { return object("/api/v1/clusters/13-7-s", k, "") }, clsID},
		{"regions tile", func(string) map[string]any { return tile("regions") }, regID},
		{"regions GeoJSON export", func(k string) map[string]any {
			return feature("/api/v1/export/regions.geojson?sector=13", k)
		}, regID},
		{"regions CSV export", func(k string) map[string]any { return row("/api/v1/export/regions.csv?sector=13", k) }, regID},
		{"regions OGC items", func(k string) map[string]any {
			return feature("/ogc/collections/regions/items?sector=13", k)
		}, regID},
		{"region profile JSON API", func(k string) map[string]any {
			return object("/api/v1/regions/16/profile?sector=13&level=province", k, "stats")
		}, regID},
	}
	for _, fc := range faces {
		anon := fc.get("")
		got, want := shownKeys(anon), fc.idty(keysOf(anon))
		if !slices.Contains(want, "suppressed") || !slices.Equal(got, want) {
			t.Errorf("%s, anonymous: shows %v, want its identity %v", fc.name, got, want)
		}
		if strings.Contains(fc.name, "tile") {
			continue
		}
		keyed := fc.get(key)
		if len(shownKeys(keyed)) <= len(got) {
			t.Errorf("%s, with a key: shows %v, want the numbers too", fc.name, shownKeys(keyed))
		}
	}
}
