package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGoldenLayers with the embedded store's answers")

// goldenLayer names the requests of every face of one layer. An empty face
// is one the layer does not have.
type goldenLayer struct {
	name string
	// tile is the path of a vector tile (served to anonymous callers only).
	tile string
	// geojson and csv are the exports, ogc the OGC API items.
	geojson, csv, ogc string
	// json are the JSON API's requests of the layer.
	json []string
}

// goldenLayers lists the golden files' requests, in the golden tiles of the
// fixture (zoom 9 for aggregates, zoom 12 for points).
func goldenLayers() []goldenLayer {
	aggregate := fmt.Sprintf("/%d/%d/%d.mvt?sector=13", goldenZ, goldenX, goldenY)
	shift := 1 << (goldenPointZ - goldenZ)
	points := fmt.Sprintf("/%d/%d/%d.mvt", goldenPointZ, goldenX*shift+2, goldenY*shift+2)
	return []goldenLayer{
		{name: "hexagons", tile: "/tiles/hexagons" + aggregate,
			geojson: "/api/v1/export/hexagons.geojson?res=7&sector=13", csv: "/api/v1/export/hexagons.csv?res=7&sector=13",
			ogc:  "/ogc/collections/hexagons/items?res=7&sector=13",
			json: []string{"/api/v1/hexagons?res=7&sector=13"}},
		{name: "clusters", tile: "/tiles/clusters" + aggregate,
			geojson: "/api/v1/export/clusters.geojson?sector=13", csv: "/api/v1/export/clusters.csv?sector=13",
			ogc:  "/ogc/collections/clusters/items?sector=13",
			json: []string{"/api/v1/clusters?sector=13", "/api/v1/clusters", "/api/v1/clusters/13-7-golden", "/api/v1/clusters/13-7-small"}},
		{name: "regions", tile: "/tiles/regions" + aggregate,
			geojson: "/api/v1/export/regions.geojson?sector=13", csv: "/api/v1/export/regions.csv?sector=13",
			ogc: "/ogc/collections/regions/items?sector=13",
			json: []string{"/api/v1/regions?level=province", "/api/v1/regions/16/profile?level=province&sector=13",
				"/api/v1/regions/77/profile?level=province&sector=13"}},
		{name: "establishments", tile: "/tiles/establishments" + points,
			geojson: "/api/v1/export/establishments.geojson", csv: "/api/v1/export/establishments.csv",
			ogc:  "/ogc/collections/establishments/items",
			json: []string{"/api/v1/establishments", "/api/v1/establishments/1"}},
		{name: "institutions", tile: "/tiles/institutions" + points,
			geojson: "/api/v1/export/institutions.geojson", csv: "/api/v1/export/institutions.csv",
			ogc:  "/ogc/collections/institutions/items",
			json: []string{"/api/v1/establishments?kind=institution"}},
	}
}

// TestGoldenLayers holds every face of each layer — vector tiles from both
// encoders, GeoJSON and CSV exports, OGC API items and the JSON API — to one
// set of golden files (testdata/golden/<layer>/), for an anonymous caller and
// for one with a key, on both stores: a change of one face that the others
// do not follow shows up as a diff. The tiles of the Go encoder and of the
// PostGIS store's ST_AsMVT must match the same file. go test ./api -run
// TestGoldenLayers -update rewrites the files from the embedded store.
func TestGoldenLayers(t *testing.T) { onStores(t, testGoldenLayers) }

func testGoldenLayers(t *testing.T, kind teststores.Kind) {
	st := teststores.Open(t, kind)
	key := goldenFixture(t, st)
	now := func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
	server := func(enc tiles.LayerEncoder) http.Handler {
		ts, err := tiles.New(st, tiles.Config{CacheBytes: -1, Resolutions: []int{7}, Now: now, Encoder: enc})
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.API.RatePerIP, cfg.API.RatePerKey = 0, 0
		return New(cfg, Deps{Store: st, Log: slog.New(slog.DiscardHandler), Tiles: ts, Ranker: StoreRanker{Store: st}})
	}
	encoders := map[string]http.Handler{"go": server(nil)}
	if enc, ok := st.(tiles.LayerEncoder); ok {
		encoders["postgis"] = server(enc)
	}
	if kind == teststores.PostGIS && len(encoders) != 2 {
		t.Fatal("the PostGIS store offers no tile encoder")
	}
	h := encoders["go"]
	seen := map[string]bool{}
	checkGolden := func(t *testing.T, kind teststores.Kind, file string, got []byte, what string) {
		t.Helper()
		seen[filepath.Join("testdata", "golden", file)] = true
		checkGolden(t, kind, file, got, what)
	}
	for _, l := range goldenLayers() {
		t.Run(l.name, func(t *testing.T) {
			for name, enc := range encoders {
				checkGolden(t, kind, filepath.Join(l.name, "tile.json"), goldenTile(t, enc, l.tile), name+" encoder")
			}
			for _, view := range []struct{ name, key string }{{"anonymous", ""}, {"key", key}} {
				for _, face := range []struct {
					file   string
					target string
					norm   func(*testing.T, []byte) []byte
				}{
					{"geojson.json", l.geojson, goldenJSON},
					{"ogc.json", l.ogc, goldenJSON},
					{"export.csv", l.csv, func(_ *testing.T, b []byte) []byte { return b }},
				} {
					body := goldenGet(t, h, face.target, view.key)
					checkGolden(t, kind, filepath.Join(l.name, view.name+"."+face.file), face.norm(t, body), face.target)
				}
				var all bytes.Buffer
				for _, target := range l.json {
					fmt.Fprintf(&all, "GET %s\n%s\n", target, goldenJSON(t, goldenGet(t, h, target, view.key)))
				}
				checkGolden(t, kind, filepath.Join(l.name, view.name+".api.txt"), all.Bytes(), "the JSON API")
			}
		})
	}
	for _, f := range goldenFiles(t) {
		if !seen[f] {
			t.Errorf("%s: no face writes this golden file any more; remove it", f)
		}
	}
}

// TestGoldenFixtureIsComplete: every field of a cluster, a cell statistic
// and a region statistic is set in at least one of the fixture's, so a field
// added to one of them shows in the golden files (or fails here).
func TestGoldenFixtureIsComplete(t *testing.T) {
	r := goldenAnalysis()
	unset := func(items any) []string {
		v := reflect.ValueOf(items)
		var out []string
		for i := range v.Type().Elem().NumField() {
			set := false
			for j := range v.Len() {
				set = set || !v.Index(j).Field(i).IsZero()
			}
			if !set {
				out = append(out, v.Type().Elem().Field(i).Name)
			}
		}
		return out
	}
	for what, items := range map[string]any{"clusters": r.Clusters, "cell statistics": r.Cells, "region statistics": r.Regions} {
		if u := unset(items); len(u) > 0 {
			t.Errorf("no fixture %s sets %v", what, u)
		}
	}
	if !slices.ContainsFunc(r.Clusters, func(c kume.Cluster) bool { return c.Suppressed }) ||
		!slices.ContainsFunc(r.Clusters, func(c kume.Cluster) bool { return !c.Suppressed }) {
		t.Error("the fixture needs a suppressed cluster and one that is not")
	}
}

// goldenGet returns the body of a GET that must answer 200.
func goldenGet(t *testing.T, h http.Handler, target, key string) []byte {
	t.Helper()
	rec := do(t, h, http.MethodGet, target, key, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", target, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// goldenVolatile are the members whose values change from run to run or
// store to store (a clock, a version counter), written as their name.
var goldenVolatile = []string{"generated_at", "timeStamp", "data_version"}

// goldenJSON returns a JSON document indented, members sorted, numbers as
// written, and the volatile members' values replaced.
func goldenJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v: %.300s", err, b)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if slices.Contains(goldenVolatile, k) && x != nil {
					v[k] = "(" + k + ")"
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return goldenCompact(out)
}

// goldenScalars matches an indented JSON array of scalars.
var goldenScalars = regexp.MustCompile(`\[\n\s*([^\[\]{}]*?)\n\s*\]`)

// goldenCompact writes each array of scalars (a coordinate pair, a list of
// cells) of an indented JSON document on one line, and ends it with a
// newline.
func goldenCompact(b []byte) []byte {
	b = goldenScalars.ReplaceAllFunc(b, func(m []byte) []byte {
		inner := goldenScalars.FindSubmatch(m)[1]
		parts := strings.Split(string(inner), "\n")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return []byte("[" + strings.Join(parts, " ") + "]")
	})
	return append(b, '\n')
}

// goldenTile returns a vector tile decoded: its layers with their features
// ordered by id, each property with its MVT value type, and every ring
// starting at its smallest vertex (the encoders may start a ring anywhere).
func goldenTile(t *testing.T, h http.Handler, target string) []byte {
	t.Helper()
	rec := do(t, h, http.MethodGet, target, "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", target, rec.Code, rec.Body.String())
	}
	if errs := mvtcheck.Check(rec.Body.Bytes()); len(errs) > 0 {
		t.Fatalf("GET %s: %v", target, errs)
	}
	ls, err := mvtcheck.Decode(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	type feature struct {
		ID         *uint64           `json:"id"`
		Type       uint64            `json:"type"`
		Properties map[string]string `json:"properties"`
		Points     [][2]int64        `json:"points,omitempty"`
		Rings      [][][2]int64      `json:"rings,omitempty"`
	}
	type tileLayer struct {
		Name     string    `json:"name"`
		Version  uint64    `json:"version"`
		Extent   uint64    `json:"extent"`
		Features []feature `json:"features"`
	}
	var out []tileLayer
	for _, l := range ls {
		tl := tileLayer{Name: l.Name, Version: l.Version, Extent: l.Extent}
		for _, f := range l.Features {
			props := map[string]string{}
			for k, v := range f.Props {
				props[k] = fmt.Sprintf("%T %v", v, v)
			}
			rings := make([][][2]int64, len(f.Rings))
			for i, r := range f.Rings {
				start := 0
				for j, p := range r {
					if p[0] < r[start][0] || p[0] == r[start][0] && p[1] < r[start][1] {
						start = j
					}
				}
				rings[i] = append(slices.Clone(r[start:]), r[:start]...)
			}
			tl.Features = append(tl.Features, feature{ID: f.ID, Type: f.Type, Properties: props, Points: f.Points, Rings: rings})
		}
		slices.SortFunc(tl.Features, func(a, b feature) int {
			switch {
			case a.ID == nil || b.ID == nil:
				return 0
			case *a.ID < *b.ID:
				return -1
			case *a.ID > *b.ID:
				return 1
			}
			return 0
		})
		out = append(out, tl)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return goldenCompact(b)
}

// checkGolden compares got with the golden file (under testdata/golden), or
// rewrites the file with it under -update on the embedded store.
func checkGolden(t *testing.T, kind teststores.Kind, file string, got []byte, what string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", file)
	if *update && kind == teststores.Memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./api -run TestGoldenLayers -update writes it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	line := 0
	for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
		line++
	}
	at := func(ls []string) string {
		if line < len(ls) {
			return ls[line]
		}
		return "(end)"
	}
	t.Errorf("%s differs from %s (%s) at line %d:\n got  %s\n want %s", what, path, kind, line+1, at(gl), at(wl))
}

// goldenFiles lists the golden files on disk, so that one no face writes
// any more is noticed.
func goldenFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join("testdata", "golden"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
