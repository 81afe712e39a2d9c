package main

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/tiles"
)

// encoderCase is one tile request compared between the encoders.
type encoderCase struct {
	layers string
	tile   tiles.TileID
	query  string
}

// TestTileEncodersAgree encodes the same tiles with the tile service's Go
// encoder and with the PostGIS store's ST_AsMVT, over the demo data and a
// fixture of edge cases, and compares them: both pass the strict MVT checks;
// both have the same features (ids), properties (keys, value types and values)
// and geometry types; points are identical and polygons agree within the
// tolerances above.
func TestTileEncodersAgree(t *testing.T) {
	st, dbURL := loadEncoderFixture(t)
	ctx := context.Background()
	goSvc, err := tiles.New(st, tiles.Config{CacheBytes: -1, Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tileEncoder(tileEncoderPostGIS, st)
	if err != nil {
		t.Fatal(err)
	}
	pgSvc, err := tiles.New(st, tiles.Config{CacheBytes: -1, Now: fixtureNow, Encoder: enc})
	if err != nil {
		t.Fatal(err)
	}
	cases := encoderCases(ctx, t, st)
	stats := encoderStats{seen: map[string]int{}}
	for _, c := range cases {
		layers, err := tiles.ParseLayers(c.layers)
		if err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		p, err := goSvc.ParseParams(layers, q)
		if err != nil {
			t.Fatal(err)
		}
		req := tiles.Request{Layers: layers, Tile: c.tile, Params: p}
		a, errA := goSvc.Tile(ctx, req)
		b, errB := pgSvc.Tile(ctx, req)
		name := fmt.Sprintf("%s/%s?%s", c.layers, c.tile, c.query)
		if errA != nil || errB != nil {
			t.Fatalf("%s: go encoder: %v; postgis encoder: %v", name, errA, errB)
		}
		tol := maxVertexDistance
		if c.tile.Z <= lowZoom {
			tol = lowZoomDistance
		}
		compareTiles(t, name, a.Data, b.Data, tol, &stats)
	}
	t.Logf("%d tiles (%d empty in both), %d features (%d polygons, %d points), %d slivers in one encoder only; "+
		"largest vertex distance %.2f units (%.2f at zooms up to %d), largest area difference %.3f units² per unit of outline",
		stats.tiles, stats.empty, stats.features, stats.polygons, stats.points, stats.slivers,
		stats.maxDist, stats.maxLowDist, lowZoom, stats.maxAreaRatio)
	if stats.polygons < 100 || stats.points < 100 {
		t.Errorf("too few features compared: %d polygons, %d points", stats.polygons, stats.points)
	}
	// The fixture's edge cases were compared; the private dataset's
	// establishments never appeared.
	for _, name := range []string{"F1", "F2", "İZ-Ç", "Hole", "Suppressed", "Geschlossen GmbH", "Zukunft AG",
		"Groß & Söhne", "Null", "Large", "Universität", "Kammer"} {
		if stats.seen[name] == 0 {
			t.Errorf("fixture feature %q not in any tile compared", name)
		}
	}
	for _, name := range []string{"Secret firm", "Secret institute"} {
		if stats.seen[name] != 0 {
			t.Errorf("establishment %q of the private dataset shown", name)
		}
	}
	t.Run("http", func(t *testing.T) { testServePostGISTiles(t, dbURL, pgSvc) })
}

// encoderCases returns the tiles to compare: over Turkey's provinces and the
// fixture's regions at zooms 0–14, around each cluster's corner and centre at
// zooms 6–13 for the sectors with clusters, and over Berlin's firms and
// Turkey's universities at zooms 8–14, with and without filters.
func encoderCases(ctx context.Context, t *testing.T, st kume.Store) []encoderCase {
	t.Helper()
	var cs []encoderCase
	add := func(layers, query string, lon, lat float64, zooms []uint32, span uint32) {
		for _, z := range zooms {
			c := tileOf(lon, lat, z)
			for dx := range span {
				for dy := range span {
					if c.X+dx < 1<<z && c.Y+dy < 1<<z {
						cs = append(cs, encoderCase{layers, tiles.TileID{Z: z, X: c.X + dx, Y: c.Y + dy}, query})
					}
				}
			}
		}
	}
	// regions: the provinces, and the fixture's corners and curves
	add("regions", "", 35, 39, []uint32{0, 3, 5}, 2)
	add("regions", "level=province", 29.9, 40.9, []uint32{7, 9, 11}, 2)
	add("regions", "sector=C", 32.85, 39.93, []uint32{6, 8}, 2)
	for _, p := range []orb.Point{{13.30, 52.45}, {13.50, 52.55}, {13.40, 52.48}, {13.55, 52.50}, {13.22, 52.37}, {13.125, 52.605}} {
		add("regions", "level=fixture", p[0], p[1], []uint32{8, 10, 12, 14}, 2)
	}
	// clusters: each sector's first clusters, at a corner and the centre
	clusters, err := st.Clusters(ctx, kume.ClusterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	perSector := map[string]int{}
	for _, c := range clusters {
		if perSector[c.Sector] >= 3 || len(perSector) > 8 && perSector[c.Sector] == 0 {
			continue
		}
		perSector[c.Sector]++
		b := c.Geometry.Bound()
		q := "sector=" + url.QueryEscape(c.Sector)
		add("clusters", q, b.Min[0], b.Min[1], []uint32{6, 9, 11, 13}, 2)
		add("clusters", q, b.Center()[0], b.Center()[1], []uint32{8, 12}, 1)
	}
	for _, p := range []orb.Point{{13.55, 52.38}, {13.60, 52.43}, {13.25, 52.55}, {13.28, 52.63}, {13.47, 52.59}} {
		add("clusters", "sector=C", p[0], p[1], []uint32{9, 12, 14}, 2)
	}
	// points: Berlin's firms and the fixture, Turkey's universities
	for _, q := range []string{"", "sector=C", "sector=62", "at=2019-06-01", "sector=25&at=2019-06-01"} {
		add("establishments", q, 13.40, 52.50, []uint32{12, 14}, 2)
	}
	add("establishments", "", 13.35, 52.52, []uint32{13}, 3)
	for _, q := range []string{"", "type=university", "at=2019-06-01"} {
		add("institutions", q, 13.40, 52.50, []uint32{8, 14}, 2)
		add("institutions", q, 32.85, 39.93, []uint32{8, 10}, 2)
	}
	add("institutions", "", 29.0, 41.0, []uint32{9}, 2)
	// composite tiles, with a layer the Go encoder keeps
	add("regions,hexagons,clusters,institutions,establishments", "sector=C", 13.40, 52.50, []uint32{12, 14}, 2)
	return cs
}

// tileOf returns the tile at zoom z holding lon, lat.
func tileOf(lon, lat float64, z uint32) tiles.TileID {
	n := float64(uint64(1) << z)
	s := math.Sin(lat * math.Pi / 180)
	x := (lon + 180) / 360 * n
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n
	clamp := func(v float64) uint32 { return uint32(math.Max(0, math.Min(n-1, math.Floor(v)))) }
	return tiles.TileID{Z: z, X: clamp(x), Y: clamp(y)}
}

// TestTileEncoderFlag checks --tile-encoder: postgis needs --db, and only go
// and postgis are known.
func TestTileEncoderFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--tile-encoder", "postgis", "--print-config"}, "needs a PostGIS store"},
		{[]string{"serve", "--tile-encoder", "mapnik", "--print-config"}, "must be go or postgis"},
	} {
		r := run(t, tc.args...)
		if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, r.err, tc.want)
		}
	}
	if _, err := tileEncoder(tileEncoderPostGIS, openMemory(t, t.TempDir())); err == nil {
		t.Error("postgis encoder for the embedded store: no error")
	}
	enc, err := tileEncoder(tileEncoderGo, nil)
	if err != nil || enc != nil {
		t.Errorf("go encoder: %v, %v; want none", enc, err)
	}
	var _ tiles.LayerEncoder = (*postgis.Store)(nil)
}
