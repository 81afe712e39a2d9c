package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/demo"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
)

// TestOGCFilterWithGDAL serves the demo data (Berlin's firms, Türkiye's
// provinces and universities, and their analysis) from each store and reads
// it with GDAL's ogr2ogr and ogrinfo with -where, which GDAL's OAPIF driver
// turns into a filter for the server. For each case the features GDAL
// returns must be exactly those the same condition, written in Go, selects
// from the unfiltered collection, and the server must have received the
// filter (GDAL did not filter on its side).
func TestOGCFilterWithGDAL(t *testing.T) {
	for _, tool := range []string{"ogr2ogr", "ogrinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s (gdal-bin) is required in CI", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	t.Run("embedded", func(t *testing.T) {
		dir := t.TempDir()
		st, err := memory.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		loadFilterData(t, st)
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		testGDALFilters(t, storeConfig{Dir: dir})
	})
	t.Run("postgis", func(t *testing.T) {
		dbURL := pgtest.NewDatabase(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		st, err := postgis.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		loadFilterData(t, st)
		st.Close()
		testGDALFilters(t, storeConfig{DB: dbURL})
	})
}

// loadFilterData loads the demo, a private dataset the filters must never
// reach, and an analysis.
func loadFilterData(t *testing.T, st kume.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, tax); err != nil {
		t.Fatal(err)
	}
	d := kume.Dataset{Name: "filter-private", Visibility: kume.Private}
	if err := st.CreateDataset(ctx, &d); err != nil {
		t.Fatal(err)
	}
	imp, err := st.BeginImport(ctx, d.ID, kume.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = imp.Add(ctx, []kume.Establishment{
		{SourceID: "s1", Name: "Secret Bau GmbH", Kind: kume.KindFirm, NACE: "41.20", Employees: kume.ExactEmployees(500), Lon: 13.40, Lat: 52.52},
		{SourceID: "s2", Name: "Secret Hochschule", Kind: kume.KindInstitution, Type: kume.University, Lon: 13.41, Lat: 52.51},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	params, err := analysisParams(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := analysis.New(st, tax, analysis.Config{Params: params})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Run(ctx, kume.AnalysisPublic); err != nil {
		t.Fatal(err)
	}
}

// gdalCase is one -where read: the layer, the OGR SQL condition and the same
// condition in Go on a feature's properties. A case with build makes both
// from the unfiltered features instead.
type gdalCase struct {
	layer, where string
	keep         func(p map[string]any) bool
	build        func(t *testing.T, all map[string]map[string]any) (string, func(map[string]any) bool)
}

func str(p map[string]any, k string) string { s, _ := p[k].(string); return s }

func number(p map[string]any, k string) (float64, bool) { f, ok := p[k].(float64); return f, ok }

// gdalCases are the reads: comparisons, LIKE and ILIKE, IS NULL, NOT, OR,
// BETWEEN (GDAL rewrites it as >= AND <=), dates, on each collection. The
// private dataset's "Secret Bau GmbH" is asked for and must not come.
func gdalCases() []gdalCase {
	return []gdalCase{
		{layer: "establishments", where: "nace LIKE '62%' AND kind = 'firm'", keep: func(p map[string]any) bool {
			return strings.HasPrefix(str(p, "nace"), "62") && str(p, "kind") == "firm"
		}},
		{layer: "establishments", where: "province ILIKE 'İSTANBUL' OR nace LIKE '56.1_' AND NOT (postcode = '10117')", keep: func(p map[string]any) bool {
			return str(p, "province") == "İstanbul" ||
				strings.HasPrefix(str(p, "nace"), "56.1") && len(str(p, "nace")) == 5 && str(p, "postcode") != "10117"
		}},
		{layer: "establishments", where: "closed >= '2023-05-01' AND closed < '2023-06-30' OR name = 'Secret Bau GmbH'", keep: func(p map[string]any) bool {
			c := str(p, "closed")
			return c >= "2023-05-01" && c < "2023-06-30" || str(p, "name") == "Secret Bau GmbH"
		}},
		{layer: "establishments", where: "postcode = '10115' AND closed IS NULL AND employees >= 2", keep: func(p map[string]any) bool {
			e, ok := number(p, "employees")
			return str(p, "postcode") == "10115" && p["closed"] == nil && ok && e >= 2
		}},
		{layer: "institutions", where: "province LIKE 'İz%' OR name ILIKE '%teknik üniversitesi%'", keep: func(p map[string]any) bool {
			return strings.HasPrefix(str(p, "province"), "İz") || strings.Contains(strings.ToLower(str(p, "name")), "teknik üniversitesi")
		}},
		{layer: "hexagons", where: "firms BETWEEN 100 AND 1000 OR gi_bin = 3", keep: func(p map[string]any) bool {
			f, _ := number(p, "firms")
			b, _ := number(p, "gi_bin")
			return f >= 100 && f <= 1000 || b == 3
		}},
		{layer: "clusters", where: "firms >= (second smallest) AND res > 0", build: firmsThreshold},
		{layer: "regions", where: "level = 'province' AND name LIKE '%a' AND code <> '06'", keep: func(p map[string]any) bool {
			return str(p, "level") == "province" && strings.HasSuffix(str(p, "name"), "a") && str(p, "code") != "06"
		}},
	}
}

// firmsThreshold builds a condition on the clusters that holds for some but
// not all of them, whatever the analysis found: at least as many firms as
// the second smallest cluster.
func firmsThreshold(t *testing.T, all map[string]map[string]any) (string, func(map[string]any) bool) {
	var counts []float64
	for _, p := range all {
		if f, ok := number(p, "firms"); ok {
			counts = append(counts, f)
		}
	}
	slices.Sort(counts)
	counts = slices.Compact(counts)
	if len(counts) < 2 {
		t.Fatalf("%d distinct cluster sizes: too few to select some clusters", len(counts))
	}
	least := counts[1]
	return fmt.Sprintf("firms >= %.0f AND res > 0", least), func(p map[string]any) bool {
		f, ok := number(p, "firms")
		r, _ := number(p, "res")
		return ok && f >= least && r > 0
	}
}

// requestLog records the query strings the server received.
type requestLog struct {
	mu      sync.Mutex
	queries []url.Values
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.queries = append(l.queries, r.URL.Query())
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// filters returns the filters received since the last call and forgets them.
func (l *requestLog) filters() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, q := range l.queries {
		if f := q.Get("filter"); f != "" {
			out = append(out, q.Get("filter-lang")+": "+f)
		}
	}
	l.queries = nil
	return out
}

func testGDALFilters(t *testing.T, sc storeConfig) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: sc, NoDemo: true, Drain: time.Second, RatePerIP: -1},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	log := &requestLog{}
	srv.http.Handler = log.wrap(srv.http.Handler)
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + srv.addr()
	for _, tc := range gdalCases() {
		t.Run(tc.layer+": "+tc.where, func(t *testing.T) {
			all := fetchAll(t, base+"/ogc/collections/"+tc.layer+"/items?limit=10000")
			if tc.build != nil {
				tc.where, tc.keep = tc.build(t, all)
			}
			var want []string
			for id, p := range all {
				if tc.keep(p) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			if len(want) == 0 || len(want) == len(all) {
				t.Fatalf("the condition selects %d of %d features: a poor test", len(want), len(all))
			}
			log.filters()
			got := gdalRead(t, base, tc.layer, tc.where)
			if !slices.Equal(got, want) {
				t.Errorf("ogr2ogr -where %q: %d features, want %d\nonly in GDAL's: %v\nonly in Go's: %v", tc.where,
					len(got), len(want), missing(got, want), missing(want, got))
			}
			sent := log.filters()
			if len(sent) == 0 {
				t.Errorf("GDAL sent no filter to the server for %q", tc.where)
			}
			n := gdalCount(t, base, tc.layer, tc.where)
			if n != len(want) {
				t.Errorf("ogrinfo -so -where %q: feature count %d, want %d", tc.where, n, len(want))
			}
			t.Logf("%d of %d features; GDAL sent %q", len(want), len(all), sent[0])
		})
	}
}

// missing returns the items of a not in b (both sorted).
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], "…")
	}
	return out
}

// featureKey identifies a feature by its id member.
func featureKey(id any) string {
	if f, ok := id.(float64); ok {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprint(id)
}

// fetchAll reads every page of an items URL and returns the features'
// properties by id.
func fetchAll(t *testing.T, target string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for target != "" {
		resp, err := http.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Features []struct {
				ID         any            `json:"id"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
			Links []struct{ Rel, Href string } `json:"links"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %v", target, resp.Status, err)
		}
		for _, f := range page.Features {
			out[featureKey(f.ID)] = f.Properties
		}
		target = ""
		for _, l := range page.Links {
			if l.Rel == "next" {
				target = l.Href
			}
		}
	}
	return out
}

// runGDAL runs a GDAL utility and fails the test on a non-zero exit or an
// ERROR on stderr.
func runGDAL(t *testing.T, tool string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || strings.Contains(stderr.String(), "ERROR") {
		t.Fatalf("%s %v: %v\nstderr: %s", tool, args, err, stderr.String())
	}
	return stdout.String()
}

// gdalRead copies a layer with ogr2ogr -where into GeoJSON and returns the
// ids of its features, sorted.
func gdalRead(t *testing.T, base, layer, where string) []string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.geojson")
	runGDAL(t, "ogr2ogr", "-f", "GeoJSON", out, "OAPIF:"+base+"/ogc", layer, "-where", where, "-oo", "PAGE_SIZE=1000")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(fc.Features))
	for _, f := range fc.Features {
		ids = append(ids, gdalID(layer, f.Properties))
	}
	slices.Sort(ids)
	return ids
}

// gdalID rebuilds a feature's id from the properties GDAL copied.
func gdalID(layer string, p map[string]any) string {
	switch layer {
	case "hexagons":
		return str(p, "cell")
	case "regions":
		return str(p, "level") + ":" + str(p, "code")
	}
	return featureKey(p["id"])
}

// gdalCount returns the feature count ogrinfo -so reports for a -where.
func gdalCount(t *testing.T, base, layer, where string) int {
	t.Helper()
	out := runGDAL(t, "ogrinfo", "-ro", "-so", "OAPIF:"+base+"/ogc", layer, "-where", where, "-oo", "PAGE_SIZE=1000")
	var n int
	i := strings.Index(out, "Feature Count: ")
	if i < 0 {
		t.Fatalf("no feature count in %.2000s", out)
	}
	if _, err := fmt.Sscanf(out[i:], "Feature Count: %d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}
