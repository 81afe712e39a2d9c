package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// Tolerances of the comparison of polygon geometry, in tile units (extent
// 4096). Both encoders clip to the same buffered tile and simplify with the
// same Douglas–Peucker tolerance (1 unit), but not in the same order or
// arithmetic: the Go encoder clips, simplifies and rounds; ST_AsMVTGeom
// simplifies once more at half a unit, snaps to the grid and rebuilds the
// polygons (wagyu) into valid ones. A vertex one encoder keeps lies within
// about the tolerance of the original outline, and so of the other encoder's
// outline give or take rounding (measured: at most 1.6 units from zoom 5 on),
// and the areas differ by far less than a unit along the outline's length.
// At zooms up to lowZoom, where a province is a few dozen units wide, the Go
// encoder's simplification leaves zero-width spikes and overlapping parts that
// ST_AsMVTGeom removes or unites, and outlines differ by up to
// lowZoomDistance (measured: 5.4 units at zoom 3).
const (
	// maxVertexDistance bounds the distance from any vertex of one encoder's
	// polygon to the other's outline.
	maxVertexDistance = 2.0
	// lowZoom and lowZoomDistance: the bound at zooms up to lowZoom.
	lowZoom, lowZoomDistance = 4, 6.0
	// areaPerLength bounds the difference of the polygons' areas, in square
	// units per unit of outline length.
	areaPerLength = 1.0
	// sliverArea is the largest area of a polygon only one encoder writes: a
	// sliver at the buffer's edge, which the other encoder's rounding closes.
	sliverArea = 4.0
	// smallRing is the largest area of a ring (an island or a hole) that one
	// encoder may drop, or merge with a neighbour, where the other keeps it:
	// after snapping to the grid ST_AsMVTGeom unites touching parts and drops
	// collapsed ones, the Go encoder keeps every ring with an area.
	smallRing = 16.0
)

// encoderCase is one tile request compared between the encoders.
type encoderCase struct {
	layers string
	tile   tiles.TileID
	query  string
}

// encoderStats summarises the differences found.
type encoderStats struct {
	tiles, empty, features, polygons, points, slivers int
	maxDist, maxLowDist, maxAreaRatio                 float64
	// seen counts the features compared by their name (or code, for regions).
	seen map[string]int
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
		p, err := tiles.ParseParams(layers, q)
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

// testServePostGISTiles serves the database with --tile-encoder postgis and
// checks a tile's HTTP behaviour: the bytes of the PostGIS encoder, gzip with
// its own entity tag, 304 on revalidation, 204 for an empty tile.
func testServePostGISTiles(t *testing.T, dbURL string, want *tiles.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{DB: dbURL}, Drain: time.Second, TileEncoder: tileEncoderPostGIS},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.addr()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	id := tileOf(13.30, 52.45, 12)
	path := fmt.Sprintf("/tiles/regions/%s.mvt?level=fixture", id)
	resp, gz := get(path, "Accept-Encoding", "gzip")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || etag == "" {
		t.Fatalf("GET %s: %s, Content-Encoding %q, ETag %q", path, resp.Status, resp.Header.Get("Content-Encoding"), etag)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := want.Tile(ctx, tiles.Request{Layers: []string{tiles.LayerRegions}, Tile: id, Params: tiles.Params{Level: "fixture"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, wt.Data) {
		t.Errorf("GET %s: %d bytes, not the PostGIS encoder's %d", path, len(body), len(wt.Data))
	}
	if errs := mvtcheck.Check(body); errs != nil {
		t.Errorf("GET %s: %v", path, errs)
	}
	resp, plain := get(path)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(plain, body) || resp.Header.Get("ETag") == etag {
		t.Errorf("GET %s without gzip: %s, %d bytes, ETag %q (gzip's %q)", path, resp.Status, len(plain), resp.Header.Get("ETag"), etag)
	}
	if resp, _ := get(path, "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET %s If-None-Match: %s, want 304", path, resp.Status)
	}
	// the middle of the Atlantic: no region
	empty := fmt.Sprintf("/tiles/regions,clusters/%s.mvt?sector=C", tileOf(-30, 40, 10))
	if resp, b := get(empty); resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Errorf("GET %s: %s with %d bytes, want 204", empty, resp.Status, len(b))
	}
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

// compareTiles checks both tiles and compares their content.
func compareTiles(t *testing.T, name string, a, b []byte, tol float64, st *encoderStats) {
	t.Helper()
	st.tiles++
	for i, tile := range [][]byte{a, b} {
		for _, err := range mvtcheck.Check(tile) {
			t.Errorf("%s: %s encoder: %v", name, []string{"go", "postgis"}[i], err)
		}
	}
	la, err := mvtcheck.Decode(a)
	if err != nil {
		t.Fatalf("%s: go encoder: %v", name, err)
	}
	lb, err := mvtcheck.Decode(b)
	if err != nil {
		t.Fatalf("%s: postgis encoder: %v", name, err)
	}
	if len(la) == 0 && len(lb) == 0 {
		st.empty++
	}
	byName := map[string][2]*mvtcheck.Layer{}
	for i, ls := range [][]mvtcheck.Layer{la, lb} {
		for j := range ls {
			l := &ls[j]
			if l.Version != 2 || l.Extent != 4096 {
				t.Errorf("%s: layer %s: version %d, extent %d", name, l.Name, l.Version, l.Extent)
			}
			e := byName[l.Name]
			e[i] = l
			byName[l.Name] = e
		}
	}
	for lname, ls := range byName {
		compareLayer(t, name+" "+lname, ls[0], ls[1], tol, st)
	}
}

// compareLayer compares the features of a layer (nil when an encoder left it
// out) by id.
func compareLayer(t *testing.T, name string, a, b *mvtcheck.Layer, tol float64, st *encoderStats) {
	t.Helper()
	fa, fb := featuresByID(t, name+" go", a), featuresByID(t, name+" postgis", b)
	ids := map[uint64]bool{}
	for id := range fa {
		ids[id] = true
	}
	for id := range fb {
		ids[id] = true
	}
	for id := range ids {
		x, y := fa[id], fb[id]
		if x == nil || y == nil {
			only, enc := x, "go"
			if x == nil {
				only, enc = y, "postgis"
			}
			if only.Type != 3 || polygonArea(only) > sliverArea {
				t.Errorf("%s: feature %d (%v) only in the %s encoder's tile (area %.1f)", name, id, only.Props, enc, polygonArea(only))
			}
			st.slivers++
			continue
		}
		st.features++
		if s, ok := x.Props["code"].(string); ok {
			st.seen[s]++
		} else if s, ok := x.Props["name"].(string); ok {
			st.seen[s]++
		}
		if !reflect.DeepEqual(x.Props, y.Props) {
			t.Errorf("%s: feature %d properties differ:\n  go      %s\n  postgis %s", name, id, describeProps(x.Props), describeProps(y.Props))
		}
		if x.Type != y.Type {
			t.Errorf("%s: feature %d geometry type %d (go) and %d (postgis)", name, id, x.Type, y.Type)
			continue
		}
		switch x.Type {
		case 1:
			st.points++
			if !reflect.DeepEqual(x.Points, y.Points) {
				t.Errorf("%s: feature %d at %v (go) and %v (postgis)", name, id, x.Points, y.Points)
			}
		case 3:
			st.polygons++
			comparePolygons(t, fmt.Sprintf("%s: feature %d", name, id), x, y, tol, st)
		}
	}
}

// featuresByID indexes a layer's features by id; each must have one.
func featuresByID(t *testing.T, name string, l *mvtcheck.Layer) map[uint64]*mvtcheck.Feature {
	t.Helper()
	out := map[uint64]*mvtcheck.Feature{}
	if l == nil {
		return out
	}
	for i := range l.Features {
		f := &l.Features[i]
		if f.ID == nil {
			t.Errorf("%s: feature %v without id", name, f.Props)
			continue
		}
		out[*f.ID] = f
	}
	return out
}

// describeProps lists properties with their Go types, sorted by key.
func describeProps(p map[string]any) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, fmt.Sprintf("%s=%T(%v)", k, v, v))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// comparePolygons checks that two encodings of a polygon agree within the
// tolerances: every vertex of each lies near the other's outline, and their
// areas differ by little for the outline's length.
func comparePolygons(t *testing.T, name string, a, b *mvtcheck.Feature, tol float64, st *encoderStats) {
	t.Helper()
	d := math.Max(vertexDistance(a.Rings, b.Rings), vertexDistance(b.Rings, a.Rings))
	if tol == maxVertexDistance {
		st.maxDist = math.Max(st.maxDist, d)
	} else {
		st.maxLowDist = math.Max(st.maxLowDist, d)
	}
	if d > tol {
		t.Errorf("%s: a vertex lies %.2f units from the other encoder's outline", name, d)
	}
	length := math.Max(outlineLength(a.Rings), 1)
	ratio := math.Abs(polygonArea(a)-polygonArea(b)) / length
	st.maxAreaRatio = math.Max(st.maxAreaRatio, ratio)
	if ratio > areaPerLength {
		t.Errorf("%s: areas %.1f (go) and %.1f (postgis) differ by %.3f units² per unit of outline (%.0f)",
			name, polygonArea(a), polygonArea(b), ratio, length)
	}
}

// polygonArea returns a polygon feature's area: its exterior rings' less its
// holes'.
func polygonArea(f *mvtcheck.Feature) float64 {
	var a int64
	for _, r := range f.Rings {
		a += mvtcheck.Area(r)
	}
	return float64(a) / 2
}

// outlineLength returns the total length of the rings.
func outlineLength(rings [][][2]int64) float64 {
	var l float64
	for _, r := range rings {
		for i := range r {
			p, q := r[i], r[(i+1)%len(r)]
			l += math.Hypot(float64(q[0]-p[0]), float64(q[1]-p[1]))
		}
	}
	return l
}

// vertexDistance returns the largest distance from a vertex of a to the
// nearest edge of b's rings. Vertices of rings of smallRing or less are left
// out: such islands and holes may be dropped or merged with a neighbour by the
// other encoder (their areas still count), and so are vertices that lie in
// another part of the same feature (see insideOther). Vertices on the edge of the buffered tile are
// left out: there the encoders' clipping differs in form but not in area (the
// Go encoder may keep zero-width spikes along the edge and holes that touch
// the exterior there; ST_AsMVTGeom writes the equivalent valid polygons).
func vertexDistance(a, b [][][2]int64) float64 {
	const lo, hi = -64, 4096 + 64
	var worst float64
	for i, r := range a {
		if math.Abs(float64(mvtcheck.Area(r)))/2 <= smallRing {
			continue
		}
		for _, p := range r {
			if p[0] == lo || p[0] == hi || p[1] == lo || p[1] == hi || insideOther(p, a, i) {
				continue
			}
			best := math.Inf(1)
			for _, s := range b {
				for i := range s {
					best = math.Min(best, segmentDistance(p, s[i], s[(i+1)%len(s)]))
				}
			}
			worst = math.Max(worst, best)
		}
	}
	return worst
}

// insideOther reports whether p lies inside, or within a unit of, an exterior
// ring of rs other than rs[skip]: where simplification made a feature's parts
// overlap, such a vertex is not on the outline the feature draws, and
// ST_AsMVTGeom, which unites the parts, does not keep it.
func insideOther(p [2]int64, rs [][][2]int64, skip int) bool {
	for i, r := range rs {
		if i == skip || mvtcheck.Area(r) <= 0 {
			continue
		}
		in := false
		for j := range r {
			q, s := r[j], r[(j+1)%len(r)]
			if segmentDistance(p, q, s) <= 1 {
				return true
			}
			if (q[1] > p[1]) != (s[1] > p[1]) &&
				float64(p[0]) < float64(q[0])+float64(p[1]-q[1])*float64(s[0]-q[0])/float64(s[1]-q[1]) {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// segmentDistance returns the distance from p to the segment q–r.
func segmentDistance(p, q, r [2]int64) float64 {
	px, py := float64(p[0]), float64(p[1])
	qx, qy := float64(q[0]), float64(q[1])
	dx, dy := float64(r[0])-qx, float64(r[1])-qy
	u := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		u = math.Max(0, math.Min(1, ((px-qx)*dx+(py-qy)*dy)/l))
	}
	return math.Hypot(px-qx-u*dx, py-qy-u*dy)
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
	var _ tiles.LayerEncoder = postgisEncoder{(*postgis.Store)(nil)}
}
