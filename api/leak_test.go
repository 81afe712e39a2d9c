package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// TestNoRouteLeaksPrivateData walks every route of the router (chi.Walk, so
// a route added without requests here fails the test) as each kind of
// caller, over a store holding a public dataset and two private ones, and
// checks that no answer holds anything of a dataset the caller may not read:
// names, ids, coordinates, counts, the cells only its firms occupy, its
// clusters, its jobs, in JSON, CSV, GeoJSON and vector tiles alike. Positive
// controls check that the callers who may read a private dataset do see it,
// so that the marks are known to show up where they should.
func TestNoRouteLeaksPrivateData(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testNoLeaks(t, memory.New()) })
	t.Run("postgis", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		ctx := context.Background()
		st, err := postgis.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		testNoLeaks(t, st)
	})
}

func testNoLeaks(t *testing.T, st kume.Store) {
	w := newLeakWorld(t, st)
	var routes []string
	err := chi.Walk(w.srv.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// seen[caller][dataset] lists the routes whose answers showed the
	// dataset's marks.
	seen := map[string]map[int64][]string{}
	reqs := map[string]map[string][]leakReq{}
	for _, caller := range leakCallers {
		seen[caller], reqs[caller] = map[int64][]string{}, w.requests(caller)
	}
	for _, route := range routes {
		// Reads go from the caller who may read most to the one who may
		// read least, so that an answer cached for one and served to the
		// next shows; writes the other way, the admin's last.
		callers := slices.Clone(leakCallers)
		if strings.HasPrefix(route, "GET ") {
			slices.Reverse(callers)
		}
		for _, caller := range callers {
			list, ok := reqs[caller][route]
			if !ok || len(list) == 0 {
				t.Errorf("route %s has no request in the leak test: add it to leakWorld.requests", route)
				continue
			}
			for _, rq := range list {
				body := w.ask(t, caller, rq)
				for i := range leakPlaces {
					d := w.ds[i]
					marks := w.marks[d.ID]
					if len(marks) == 0 {
						continue
					}
					hit := w.match(marks, body, rq)
					switch {
					case hit != "" && !w.readable(caller, i):
						t.Errorf("%s %s as %s shows private dataset %s (%s): …%s…", rq.method, rq.target, caller, d.Name, hit,
							excerpt(body, hit))
					case hit != "":
						seen[caller][d.ID] = append(seen[caller][d.ID], route)
						if layers, ok := strings.CutPrefix(rq.target, "/tiles/"); ok {
							seen[caller][d.ID] = append(seen[caller][d.ID], "tiles of "+strings.Split(layers, "/")[0])
						}
					}
				}
			}
		}
	}
	// Positive controls: who may read a private dataset sees it on these
	// routes, the analyses' faces included.
	must := []string{"GET /api/v1/datasets", "GET /api/v1/establishments", "GET /api/v1/hexagons", "GET /api/v1/clusters",
		"GET /tiles/{layers}/{z}/{x}/{y}", "GET /ogc/collections/{collectionId}/items", "GET /api/v1/export/{layer}.csv",
		"GET /api/v1/timeline", "GET /api/v1/regions/{code}/profile", "GET /api/v1/lisa", "GET /api/v1/rank",
		"tiles of hexagons", "tiles of hexagons,clusters,regions", "tiles of establishments", "tiles of institutions",
		"GET /ogc/collections/{collectionId}/items/{featureId}", "GET /api/v1/clusters/{id}", "GET /api/v1/analysis"}
	for _, caller := range leakCallers {
		for i := range leakPlaces {
			d := w.ds[i]
			if leakPlaces[i].vis == kume.Public || !w.readable(caller, i) {
				continue
			}
			for _, route := range must {
				if !slices.Contains(seen[caller][d.ID], route) {
					t.Errorf("%s may read %s but %s never showed it: the test's marks do not reach that route", caller, d.Name, route)
				}
			}
		}
	}
	if len(w.clusters[w.ds[1].ID]) == 0 || len(w.clusters[w.ds[2].ID]) == 0 {
		t.Errorf("no cluster in the private datasets' places (%v): the clusters' faces are not tested", w.clusters)
	}
}

// leakReq is one request of the walk.
type leakReq struct {
	method, target, body, ctype string
}

// ask sends a request as caller and returns what a reader of the answer
// learns: the body, a vector tile decoded into text.
func (w *leakWorld) ask(t *testing.T, caller string, rq leakReq) string {
	t.Helper()
	req := httptest.NewRequest(rq.method, rq.target, strings.NewReader(rq.body))
	if rq.ctype != "" {
		req.Header.Set("Content-Type", rq.ctype)
	}
	if k := w.keys[caller]; k != "" {
		req.Header.Set("Authorization", "Bearer "+k)
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
		t.Errorf("%s %s as %s: %d %.300s", rq.method, rq.target, caller, rec.Code, rec.Body.String())
	}
	b := rec.Body.Bytes()
	var out strings.Builder
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range rec.Header() {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&out, "%s: %s\n", k, strings.Join(rec.Header()[k], ", "))
	}
	if rec.Header().Get("Content-Type") == mvtContentType && len(b) > 0 {
		layers, err := mvtcheck.Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", rq.target, err)
		}
		for _, l := range layers {
			for _, f := range l.Features {
				fmt.Fprintf(&out, "layer=%s", l.Name)
				if f.ID != nil {
					fmt.Fprintf(&out, " fid=%d;", *f.ID)
				}
				keys := make([]string, 0, len(f.Props))
				for k := range f.Props {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(&out, " %q: %v,", k, f.Props[k])
				}
				out.WriteString("\n")
			}
		}
		return out.String()
	}
	out.Write(b)
	return out.String()
}

// match returns the first mark found in body that the request itself does
// not hold (a name the caller sent is no leak), "" when none.
func (w *leakWorld) match(marks []*regexp.Regexp, body string, rq leakReq) string {
	sent := " " + rq.target + " " + rq.body + " "
	for _, m := range marks {
		if loc := m.FindStringIndex(body); loc != nil && !m.MatchString(sent) {
			return body[loc[0]:loc[1]]
		}
	}
	return ""
}

// excerpt returns the text around the first occurrence of hit in body.
func excerpt(body, hit string) string {
	i := strings.Index(body, hit)
	return body[max(0, i-120):min(len(body), i+len(hit)+60)]
}

// tilesAround returns the tiles of zoom z holding the dataset's rows.
func (w *leakWorld) tilesAround(i, z int, layers string) []leakReq {
	var out []leakReq
	seen := map[maptile.Tile]bool{}
	for _, e := range w.rows[w.ds[i].ID] {
		mt := maptile.At(orb.Point{e.Lon, e.Lat}, maptile.Zoom(z))
		if !seen[mt] {
			seen[mt] = true
			out = append(out, get(fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, z, mt.X, mt.Y)))
		}
	}
	return out
}

// bbox returns the box of a place's rows, as a bbox parameter.
func (p leakPlace) bbox() string {
	return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", p.lon-0.01, p.lat-0.01, p.lon+0.02, p.lat+0.02)
}

// get is a GET request.
func get(target string) leakReq { return leakReq{method: http.MethodGet, target: target} }
