package tiles

import (
	"context"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

var center = orb.Point{29.02, 41.02}

// tileAt returns the tile at zoom z containing lon/lat.
func tileAt(lon, lat float64, z uint32) TileID {
	w := worldPoint(lon, lat)
	n := float64(uint64(1) << z)
	return TileID{Z: z, X: uint32(w[0] * n), Y: uint32(w[1] * n)}
}

func newService(t testing.TB, st kume.Store, cfg Config) *Service {
	t.Helper()
	cfg.Now = func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	svc, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func mustTile(t *testing.T, svc *Service, layers string, id TileID, p Params) Tile {
	t.Helper()
	ls, err := ParseLayers(layers)
	if err != nil {
		t.Fatal(err)
	}
	tile, err := svc.Tile(context.Background(), Request{Layers: ls, Tile: id, Params: p})
	if err != nil {
		t.Fatalf("%s %s: %v", layers, id, err)
	}
	return tile
}

func decode(t *testing.T, data []byte) map[string]mvtcheck.Layer {
	t.Helper()
	if errs := mvtcheck.Check(data); len(errs) > 0 {
		t.Fatalf("invalid tile: %v", errs)
	}
	ls, err := mvtcheck.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]mvtcheck.Layer{}
	for _, l := range ls {
		out[l.Name] = l
	}
	return out
}

// TestLayersStrict checks every layer's tiles, alone and composite, at several
// zooms against the strict MVT 2.1 checker.
func TestLayersStrict(t *testing.T) { onStores(t, testLayersStrict) }

func testLayersStrict(t *testing.T, kind teststores.Kind) {
	svc := newService(t, fixture(t, kind, center), Config{})
	tests := []struct {
		layers string
		zooms  []uint32
		params Params
		want   []string
	}{
		{"hexagons", []uint32{3, 6, 8, 10, 13}, Params{}, []string{"hexagons"}},
		{"hexagons", []uint32{8}, Params{Sector: "13"}, []string{"hexagons"}},
		{"clusters", []uint32{5, 9, 12}, Params{Sector: "13"}, []string{"clusters"}},
		{"regions", []uint32{0, 4, 9, 14}, Params{}, []string{"regions"}},
		{"establishments", []uint32{12, 15}, Params{}, []string{"establishments"}},
		{"institutions", []uint32{12}, Params{}, []string{"institutions"}},
		{"hexagons,clusters,regions", []uint32{9}, Params{Sector: "13"}, []string{"hexagons", "clusters", "regions"}},
		{"regions,establishments", []uint32{4}, Params{}, []string{"regions"}},
	}
	for _, tt := range tests {
		for _, z := range tt.zooms {
			tile := mustTile(t, svc, tt.layers, tileAt(center[0], center[1], z), tt.params)
			if len(tile.Data) == 0 {
				t.Fatalf("%s z%d: empty tile", tt.layers, z)
			}
			got := decode(t, tile.Data)
			if len(got) != len(tt.want) {
				t.Errorf("%s z%d: %d layers, want %v", tt.layers, z, len(got), tt.want)
			}
			for _, name := range tt.want {
				l, ok := got[name]
				if !ok || len(l.Features) == 0 || l.Version != 2 || l.Extent != 4096 {
					t.Errorf("%s z%d: layer %s missing, empty or not version 2/extent 4096", tt.layers, z, name)
				}
			}
		}
	}
}

func TestHexagonProperties(t *testing.T) { onStores(t, testHexagonProperties) }

func testHexagonProperties(t *testing.T, kind teststores.Kind) {
	svc := newService(t, fixture(t, kind, center), Config{})
	l := decode(t, mustTile(t, svc, "hexagons", tileAt(center[0], center[1], 8), Params{}).Data)["hexagons"]
	var open, suppressed int
	for _, f := range l.Features {
		if f.ID == nil {
			t.Fatal("hexagon without id")
		}
		if f.Props["res"] != uint64(6) {
			t.Fatalf("res = %v at z8, want 6", f.Props["res"])
		}
		if f.Props["suppressed"] == true {
			suppressed++
			for _, k := range []string{"firms", "employees", "lq", "gi_z", "gi_p", "share_imprecise"} {
				if _, ok := f.Props[k]; ok {
					t.Errorf("suppressed cell shows %s", k)
				}
			}
			continue
		}
		open++
		for _, k := range []string{"cell", "firms", "employees", "lq", "gi_z", "gi_p", "gi_bin", "share_imprecise"} {
			if _, ok := f.Props[k]; !ok {
				t.Errorf("cell lacks %s", k)
			}
		}
	}
	if open == 0 || suppressed == 0 {
		t.Fatalf("open %d, suppressed %d: want both", open, suppressed)
	}
}

func TestPointsArePublic(t *testing.T) { onStores(t, testPointsArePublic) }

func testPointsArePublic(t *testing.T, kind teststores.Kind) {
	log := &readLog{}
	svc := newService(t, watch(fixture(t, kind, center), log.before), Config{})
	l := decode(t, mustTile(t, svc, "establishments", tileAt(center[0], center[1], 12), Params{Sector: "C"}).Data)["establishments"]
	if len(l.Features) != 4 {
		t.Fatalf("%d firms, want 4 public ones", len(l.Features))
	}
	for _, f := range l.Features {
		if f.Props["name"] == "Private firm" {
			t.Fatal("private firm in a public tile")
		}
		if b, _ := f.Props["employees"].(string); b != "10-49" && b != "50-249" {
			t.Errorf("employees %q is not a band", b)
		}
	}
	for _, f := range log.establishmentFilters() {
		if !f.PublicOnly {
			t.Fatal("establishments read without PublicOnly")
		}
	}
}

func TestTileErrors(t *testing.T) { onStores(t, testTileErrors) }

func testTileErrors(t *testing.T, kind teststores.Kind) {
	svc := newService(t, fixture(t, kind, center), Config{})
	tests := []struct {
		layers string
		id     TileID
		p      Params
		code   string
		msg    string
	}{
		{"establishments", TileID{Z: 5, X: 18, Y: 11}, Params{}, kume.ENOTFOUND, "12..18"},
		{"hexagons", TileID{Z: 2, X: 1, Y: 1}, Params{}, kume.ENOTFOUND, "3..16"},
		{"hexagons", tileAt(29, 41, 8), Params{Res: 9, HasRes: true}, kume.EINVALID, "res 9"},
		{"hexagons", tileAt(29, 41, 8), Params{Res: 3, HasRes: true}, kume.EINVALID, "res 3"},
	}
	for _, tt := range tests {
		_, err := svc.Tile(context.Background(), Request{Layers: strings.Split(tt.layers, ","), Tile: tt.id, Params: tt.p})
		if kume.ErrorCode(err) != tt.code || !strings.Contains(kume.ErrorMessage(err), tt.msg) {
			t.Errorf("%s %s: %v, want %s mentioning %q", tt.layers, tt.id, err, tt.code, tt.msg)
		}
	}
	tile := mustTile(t, svc, "hexagons", tileAt(29, 41, 8), Params{Res: 7, HasRes: true})
	if len(tile.Data) == 0 {
		t.Fatal("res 7 at z8 is allowed")
	}
	if tile := mustTile(t, svc, "hexagons", tileAt(-70, -30, 8), Params{}); len(tile.Data) != 0 || tile.ETag != "" {
		t.Fatal("a tile without data must be empty")
	}
}

// TestSingleflight: concurrent requests for a missing tile read the store once.
func TestSingleflight(t *testing.T) { onStores(t, testSingleflight) }

func testSingleflight(t *testing.T, kind teststores.Kind) {
	log := &readLog{}
	svc := newService(t, watch(fixture(t, kind, center), log.before), Config{})
	id := tileAt(center[0], center[1], 9)
	var wg sync.WaitGroup
	tags := make([]string, 16)
	for i := range tags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tile, err := svc.Tile(context.Background(), Request{Layers: []string{LayerHexagons}, Tile: id})
			if err != nil {
				t.Error(err)
			}
			tags[i] = tile.ETag
		}()
	}
	wg.Wait()
	if n := log.count("cells"); n != 1 {
		t.Fatalf("store read %d times, want 1", n)
	}
	for _, tag := range tags {
		if tag != tags[0] || tag == "" {
			t.Fatalf("ETags differ: %v", tags)
		}
	}
}

func TestEncodeWinding(t *testing.T) {
	ccw := orb.Ring{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}
	cw := orb.Ring{{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}}
	hole := orb.Ring{{20, 20}, {40, 20}, {40, 40}, {20, 40}, {20, 20}}
	cwHole := hole.Clone()
	cwHole.Reverse()
	tests := []struct {
		mp    orb.MultiPolygon
		signs []int // the sign of each ring's area in tile coordinates
	}{
		{orb.MultiPolygon{{ccw}}, []int{1}},
		{orb.MultiPolygon{{cw}}, []int{1}},
		{orb.MultiPolygon{{ccw, hole}}, []int{1, -1}},
		{orb.MultiPolygon{{cw, cwHole}}, []int{1, -1}},
		{orb.MultiPolygon{{ccw}, {cw}}, []int{1, 1}},
	}
	for i, tt := range tests {
		enc := newLayerEncoder("x", 4096)
		if !enc.addPolygon(1, true, tt.mp, []prop{pFloat("v", math.NaN()), pInt("n", -3)}) {
			t.Fatal("polygon dropped")
		}
		data := enc.appendTo(nil)
		if errs := mvtcheck.Check(data); len(errs) > 0 {
			t.Fatal(errs)
		}
		l, _ := mvtcheck.Decode(data)
		rings := l[0].Features[0].Rings
		if len(rings) != len(tt.signs) {
			t.Fatalf("case %d: %d rings, want %d", i, len(rings), len(tt.signs))
		}
		for j, r := range rings {
			if a := mvtcheck.Area(r); (a > 0) != (tt.signs[j] > 0) {
				t.Errorf("case %d ring %d: area %d", i, j, a)
			}
		}
		if _, ok := l[0].Features[0].Props["v"]; ok {
			t.Error("NaN property encoded")
		}
		if l[0].Features[0].Props["n"] != int64(-3) {
			t.Errorf("n = %v", l[0].Features[0].Props["n"])
		}
	}
	enc := newLayerEncoder("x", 4096)
	if enc.addPolygon(1, true, orb.MultiPolygon{{{{0, 0}, {0.2, 0}, {0.2, 0.2}, {0, 0}}}}, nil) || enc.appendTo(nil) != nil {
		t.Fatal("a polygon that rounds to nothing must be dropped with its empty layer")
	}
}

// TestCachedTilesWhileStoreDown checks that tiles already in the cache are
// served while the store is unreachable, and that a tile that would need the
// store fails with EUNAVAILABLE instead.
func TestCachedTilesWhileStoreDown(t *testing.T) { onStores(t, testCachedTilesWhileStoreDown) }

func testCachedTilesWhileStoreDown(t *testing.T, kind teststores.Kind) {
	var down atomic.Bool // every read fails with EUNAVAILABLE, as a lost database does
	st := watch(fixture(t, kind, center), func(string, any) error {
		if down.Load() {
			return kume.Errorf(kume.EUNAVAILABLE, "the database is unreachable")
		}
		return nil
	})
	svc := newService(t, st, Config{VersionCheck: -1}) // ask the store on every request
	cached := tileAt(center[0], center[1], 9)
	want := mustTile(t, svc, LayerHexagons, cached, Params{})
	down.Store(true)
	got, err := svc.Tile(context.Background(), Request{Layers: []string{LayerHexagons}, Tile: cached})
	if err != nil {
		t.Fatalf("cached tile while the store is down: %v", err)
	}
	if got.ETag != want.ETag || string(got.Data) != string(want.Data) {
		t.Error("the cached tile changed while the store was down")
	}
	other := tileAt(center[0], center[1], 10)
	if _, err := svc.Tile(context.Background(), Request{Layers: []string{LayerHexagons}, Tile: other}); kume.ErrorCode(err) != kume.EUNAVAILABLE {
		t.Errorf("uncached tile while the store is down: %v, want EUNAVAILABLE", err)
	}
	down.Store(false)
	if _, err := svc.Tile(context.Background(), Request{Layers: []string{LayerHexagons}, Tile: other}); err != nil {
		t.Errorf("after the store is back: %v", err)
	}
}
