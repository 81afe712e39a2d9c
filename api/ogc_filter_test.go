package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/internal/teststores"
)

// feat is a decoded feature: its id, properties and, for points, position.
type feat struct {
	ID         any            `json:"id"`
	Properties map[string]any `json:"properties"`
	Geometry   struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// point returns a point feature's longitude and latitude.
func (f feat) point() (lon, lat float64) {
	var c [2]float64
	_ = json.Unmarshal(f.Geometry.Coordinates, &c) // not a point: zeros
	return c[0], c[1]
}

// page is one decoded page of an OGC items response.
type page struct {
	Features       []feat `json:"features"`
	NumberMatched  *int   `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Links          []Link `json:"links"`
}

func (p page) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// getPage fetches one page and fails the test unless it is a 200.
func getPage(t *testing.T, h http.Handler, target, key string) page {
	t.Helper()
	rec := do(t, h, http.MethodGet, target, key, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body.String())
	}
	var p page
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return p
}

// collect follows the next links from target and returns the features' ids
// in order and the numberMatched of every page.
func collect(t *testing.T, h http.Handler, target, key string) (ids []string, matched []int) {
	t.Helper()
	for pages := 0; target != ""; pages++ {
		if pages > 200 {
			t.Fatal("more than 200 pages")
		}
		p := getPage(t, h, target, key)
		if p.NumberReturned != len(p.Features) {
			t.Fatalf("%s: numberReturned %d, %d features", target, p.NumberReturned, len(p.Features))
		}
		if p.NumberMatched == nil {
			t.Fatalf("%s: no numberMatched", target)
		}
		matched = append(matched, *p.NumberMatched)
		for _, f := range p.Features {
			ids = append(ids, fmt.Sprint(f.ID))
		}
		target = strings.TrimPrefix(p.link("next"), "http://example.com")
	}
	return ids, matched
}

// expected returns, in order, the ids of the features of a collection (all
// pages, no filter) for which keep is true.
func expected(t *testing.T, h http.Handler, target, key string, keep func(feat) bool) []string {
	t.Helper()
	var ids []string
	for target != "" {
		p := getPage(t, h, target, key)
		for _, f := range p.Features {
			if keep(f) {
				ids = append(ids, fmt.Sprint(f.ID))
			}
		}
		target = strings.TrimPrefix(p.link("next"), "http://example.com")
	}
	return ids
}

func num(v any) float64 { f, _ := v.(float64); return f }

// TestOGCFilter compares the features a filter selects through the API,
// page by page, with those the same condition written in Go selects from
// the unfiltered collection, for each collection, in both encodings.
func TestOGCFilter(t *testing.T) { onStores(t, testOGCFilter) }

func testOGCFilter(t *testing.T, kind teststores.Kind) {
	s, _, keys := newTestServer(t, kind, nil)
	cellOf := func(lon, lat float64) string {
		return fmt.Sprintf("%x", uint64(h3.LatLngToCell(h3.NewLatLng(lat, lon), 7)))
	}
	for _, tc := range []struct {
		layer, extra, text, json string
		keep                     func(f feat) bool
	}{
		{"establishments", "", `name LIKE 'Firm 1%' AND kind = 'firm'`,
			`{"op":"and","args":[{"op":"like","args":[{"property":"name"},"Firm 1%"]},{"op":"=","args":[{"property":"kind"},"firm"]}]}`,
			func(f feat) bool {
				return strings.HasPrefix(f.Properties["name"].(string), "Firm 1") && f.Properties["kind"] == "firm"
			}},
		{"establishments", "", `id BETWEEN 20 AND 60 AND NOT id IN (25, 26) OR type = 'university' AND id > 240`, ``,
			func(f feat) bool {
				id := num(f.Properties["id"])
				return id >= 20 && id <= 60 && id != 25 && id != 26 || f.Properties["type"] == "university" && id > 240
			}},
		{"establishments", "&bbox=28.9,41.0,28.96,41.1", `S_INTERSECTS(geometry, BBOX(28.895, 40.995, 28.935, 41.025)) OR id < 3`, ``,
			func(f feat) bool {
				lon, lat := f.point()
				return lon <= 28.935 && lat <= 41.025 || num(f.Properties["id"]) < 3
			}},
		{"establishments", "", `CASEI(name) LIKE casei('FIRM 2_') AND founded IS NULL AND nace <> '13.20'`, ``,
			func(f feat) bool {
				n := f.Properties["name"].(string)
				return len(n) == 7 && strings.HasPrefix(n, "Firm 2") && f.Properties["nace"] != "13.20"
			}},
		{"institutions", "", `employees >= 10 AND S_INTERSECTS(geometry, POLYGON((28.895 40.995, 29.005 40.995, 29.005 41.0525, 28.895 40.995)))`, ``,
			func(f feat) bool { // inside the triangle: below its hypotenuse, west of its east side
				lon, lat := f.point()
				below := (29.005-28.895)*(lat-40.995)-(41.0525-40.995)*(lon-28.895) < 0
				return below && lon < 29.005 && num(f.Properties["employees"]) >= 10
			}},
		{"hexagons", "&include_empty=true", `firms IN (2, 3) OR S_INTERSECTS(geometry, POINT(28.98 41.05))`,
			`{"op":"or","args":[{"op":"in","args":[{"property":"firms"},[2,3]]},{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[28.98,41.05]}]}]}`,
			func(f feat) bool {
				n := num(f.Properties["firms"])
				return n == 2 || n == 3 || f.Properties["cell"] == cellOf(28.98, 41.05)
			}},
		{"clusters", "", `firms > 100 AND sector = '13' AND lq BETWEEN 1.5 AND 2.5`, ``,
			func(f feat) bool { return num(f.Properties["firms"]) > 100 }},
		{"regions", "", `code = '34' AND S_INTERSECTS(geometry, LINESTRING(28 40, 30 42))`, ``,
			func(f feat) bool { return f.Properties["code"] == "34" }},
		{"regions", "", `name = 'istanbul'`, ``, func(feat) bool { return false }}, // case-sensitive
	} {
		t.Run(tc.layer+" "+tc.text, func(t *testing.T) {
			base := "/ogc/collections/" + tc.layer + "/items?limit=7" + tc.extra
			want := expected(t, s, base, keys[kume.ScopeRead], tc.keep)
			if len(want) == 0 && tc.layer != "regions" {
				t.Fatal("the condition selects nothing: a poor test")
			}
			queries := []string{"&filter=" + url.QueryEscape(tc.text)}
			if tc.json != "" {
				queries = append(queries, "&filter-lang=cql2-json&filter="+url.QueryEscape(tc.json))
			}
			t.Logf("%d features match", len(want))
			for _, q := range queries {
				got, matched := collect(t, s, base+q, keys[kume.ScopeRead])
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %v, want %v", q, got, want)
				}
				for i, m := range matched {
					if m != len(want) {
						t.Errorf("%s: page %d numberMatched %d, want %d", q, i+1, m, len(want))
					}
				}
			}
		})
	}
}

// TestOGCFilterPaging follows a filtered collection page by page: every
// page has numberReturned features and the same numberMatched, the next
// page's cursor carries the count (so only the first page counts), and the
// prev links lead back to the same pages.
func TestOGCFilterPaging(t *testing.T) { onStores(t, testOGCFilterPaging) }

func testOGCFilterPaging(t *testing.T, kind teststores.Kind) {
	cs := &countingStore{}
	s, _, _ := newTestServer(t, kind, func(_ *Config, d *Deps) { cs.Store, d.Store = d.Store, cs })
	base := "/ogc/collections/establishments/items?limit=9&filter=" + url.QueryEscape(`kind = 'firm' AND id % 2 = 0`)
	if rec := do(t, s, http.MethodGet, base, "", nil); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), "arithmetic (%) is not supported") {
		t.Fatalf("arithmetic: %d %s", rec.Code, rec.Body.String())
	}
	base = "/ogc/collections/establishments/items?limit=9&filter=" + url.QueryEscape(`kind = 'firm' AND name NOT LIKE '%7'`)
	cs.scans = 0
	ids, matched := collect(t, s, base, "")
	if len(ids) < 100 || len(matched) != (len(ids)+8)/9 {
		t.Fatalf("%d features in %d pages", len(ids), len(matched))
	}
	if cs.scans != len(matched)+1 {
		t.Errorf("%d scans of the store for %d pages, want one per page and one count", cs.scans, len(matched))
	}
	for i, m := range matched {
		if m != len(ids) {
			t.Errorf("page %d: numberMatched %d, want %d", i+1, m, len(ids))
		}
	}
	// page 3, then back
	p1 := getPage(t, s, base, "")
	p2 := getPage(t, s, strings.TrimPrefix(p1.link("next"), "http://example.com"), "")
	p3 := getPage(t, s, strings.TrimPrefix(p2.link("next"), "http://example.com"), "")
	back := getPage(t, s, strings.TrimPrefix(p3.link("prev"), "http://example.com"), "")
	if fmt.Sprint(back.Features[0].ID) != fmt.Sprint(p2.Features[0].ID) || len(back.Features) != 9 || *back.NumberMatched != len(ids) {
		t.Errorf("prev of page 3 starts at %v with %d features, want page 2 from %v", back.Features[0].ID, len(back.Features), p2.Features[0].ID)
	}
	if p1.link("prev") != "" {
		t.Error("the first page has a prev link")
	}
	// a cursor is bound to its filter
	next := p1.link("next")
	other := strings.Replace(next, url.QueryEscape("%7"), url.QueryEscape("%8"), 1)
	if rec := do(t, s, http.MethodGet, strings.TrimPrefix(other, "http://example.com"), "", nil); rec.Code != http.StatusBadRequest {
		t.Errorf("a cursor replayed with another filter: %d", rec.Code)
	}
}

// countingStore is a store that counts its scans of establishments.
type countingStore struct {
	kume.Store
	scans int
}

func (c *countingStore) EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	c.scans++
	return c.Store.EachEstablishment(ctx, f, fn)
}

// TestOGCFilterVisibility checks that a filter sees what the caller sees:
// anonymous callers find no private establishment and no suppressed count,
// whatever they filter on.
func TestOGCFilterVisibility(t *testing.T) { onStores(t, testOGCFilterVisibility) }

func testOGCFilterVisibility(t *testing.T, kind teststores.Kind) {
	s, st, keys := newTestServer(t, kind, nil)
	count := func(target, key string) int {
		t.Helper()
		ids, _ := collect(t, s, target, key)
		return len(ids)
	}
	hidden := "/ogc/collections/establishments/items?filter=" + url.QueryEscape(`name LIKE 'Hidden%' OR dataset_id = `+itoa(st.private.ID))
	if n := count(hidden, ""); n != 0 {
		t.Errorf("anonymous: %d private establishments", n)
	}
	if n := count(hidden, keys[kume.ScopeRead]); n != 5 {
		t.Errorf("read key: %d private establishments, want 5", n)
	}
	ones := 0
	for _, c := range st.analysis.Cells {
		if c.Firms == 1 {
			ones++
		}
	}
	for _, f := range []string{`firms = 1`, `firms IS NULL AND suppressed = true`} {
		target := "/ogc/collections/hexagons/items?filter=" + url.QueryEscape(f)
		anon, keyed := count(target, ""), count(target, keys[kume.ScopeRead])
		switch f {
		case `firms = 1`: // the fixture suppresses exactly the cells with one firm
			if anon != 0 || keyed != ones || ones == 0 {
				t.Errorf("%s: anonymous %d, read key %d, want 0 and %d", f, anon, keyed, ones)
			}
		default:
			if anon != ones || keyed != 0 {
				t.Errorf("%s: anonymous %d, read key %d, want %d and 0", f, anon, keyed, ones)
			}
		}
	}
}

// TestOGCFilterErrors checks that bad filters are a 400 that says what is
// wrong: syntax, unknown properties, unsupported constructs, parameters.
func TestOGCFilterErrors(t *testing.T) { onStores(t, testOGCFilterErrors) }

func testOGCFilterErrors(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	items := "/ogc/collections/establishments/items?"
	for _, tc := range []struct{ query, want string }{
		{"filter=" + url.QueryEscape("name = 'x"), "unterminated character literal"},
		{"filter=" + url.QueryEscape("nope = 1"), `unknown property \"nope\"; the queryables are closed, country, dataset_id`},
		{"filter=" + url.QueryEscape("firms > 1"), `unknown property \"firms\"`},
		{"filter=" + url.QueryEscape("S_WITHIN(geometry, BBOX(0,0,1,1))"), "S_WITHIN is not supported"},
		{"filter=" + url.QueryEscape("T_AFTER(founded, DATE('2020-01-01'))"), "T_AFTER is not supported"},
		{"filter=" + url.QueryEscape("name ILIKE 'x'"), "ILIKE is not CQL2"},
		{"filter=" + url.QueryEscape("employees > 'many'"), "cannot compare property employees (number)"},
		{"filter=", `parameter \"filter\": empty`},
		{"filter=" + strings.Repeat("a", maxFilterBytes+1), "longer than"},
		{"filter=id%3D1&filter-lang=ecql", `\"ecql\" is not offered`},
		{"filter=id%3D1&filter-lang=cql2-json", "not a JSON document"},
		{"filter=id%3D1&filter-crs=EPSG:4326", "only http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
		{"filter-lang=cql2-text", `parameter \"filter-lang\": given without a filter`},
		{"filter=id%3D1&filter=id%3D2", "given more than once: filter"},
	} {
		rec := do(t, s, http.MethodGet, items+tc.query, "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%.80s: %d %s, want 400 with %q", tc.query, rec.Code, rec.Body.String(), tc.want)
		}
	}
	ok := items + "filter=" + url.QueryEscape("id = 1") + "&filter-lang=cql2-text&filter-crs=" + url.QueryEscape(crs84)
	if rec := do(t, s, http.MethodGet, ok, "", nil); rec.Code != http.StatusOK {
		t.Errorf("explicit language and CRS: %d %s", rec.Code, rec.Body.String())
	}
}

// FuzzOGCFilter feeds arbitrary filter parameters to the items route's
// filter parsing: no panic, and a rejection is always a 400 (EINVALID).
func FuzzOGCFilter(f *testing.F) {
	for _, seed := range [][2]string{
		{"name LIKE 'Firm%' AND id > 3", ""}, {"S_INTERSECTS(geometry, BBOX(28,40,29,41))", "cql2-text"},
		{`{"op":"=","args":[{"property":"kind"},"firm"]}`, "cql2-json"}, {"(name ILIKE 'a%') AND (founded > '2019-01-01')", "cql-text"},
		{"firms > 1", ""}, {"nope = 1", "x"}, {"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, filter, lang string) {
		v := url.Values{"filter": {filter}}
		if lang != "" {
			v.Set("filter-lang", lang)
		}
		for _, layer := range export.Layers() {
			flt, err := ogcFilter(params{v: v}, layer)
			if err != nil && kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("%s: %v is not EINVALID", layer, err)
			}
			if err == nil && flt == nil {
				t.Fatalf("%s: no filter and no error for %q", layer, filter)
			}
		}
	})
}
