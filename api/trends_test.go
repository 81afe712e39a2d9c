package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/basemap"
	"github.com/kume-geo/kume/internal/teststores"
)

// putRegion adds a region to the test store.
func putRegion(t *testing.T, st *testStore, r kume.Region) {
	t.Helper()
	if err := st.PutRegions(context.Background(), []kume.Region{r}); err != nil {
		t.Fatal(err)
	}
}

func TestPlaces(t *testing.T) { onStores(t, testPlaces) }

func testPlaces(t *testing.T, kind teststores.Kind) {
	bm, err := basemap.New()
	if err != nil {
		t.Fatal(err)
	}
	s, st, _ := newTestServer(t, kind, func(_ *Config, d *Deps) { d.Basemap = bm })
	putRegion(t, st, kume.Region{Code: "34-01", Name: "Beyoğlu", Level: "district",
		Geometry: orb.MultiPolygon{{{{28.95, 41.0}, {29.0, 41.0}, {29.0, 41.05}, {28.95, 41.05}, {28.95, 41.0}}}}})
	rec := do(t, s, http.MethodGet, "/api/v1/places?at=28.97,41.02|29.1,41.2|-30,40", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	var body struct {
		Places [][]placeJSON
		Near   []*nearJSON
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := [][]placeJSON{
		{{Level: "district", Code: "34-01", Name: "Beyoğlu"}, {Level: "province", Code: "34", Name: "İstanbul"}},
		{{Level: "province", Code: "34", Name: "İstanbul"}},
		{},
	}
	if len(body.Places) != 3 || len(body.Places[0]) != 2 || body.Places[0][0] != want[0][0] || body.Places[0][1] != want[0][1] ||
		len(body.Places[1]) != 1 || body.Places[1][0] != want[1][0] || len(body.Places[2]) != 0 {
		t.Errorf("places %+v, want %+v", body.Places, want)
	}
	if len(body.Near) != 3 || body.Near[0] == nil || body.Near[0].NameTR != "İstanbul" || body.Near[2] != nil {
		t.Errorf("near %+v: want İstanbul, İstanbul, none", body.Near)
	}
	for _, bad := range []string{"", "at=", "at=29", "at=200,41", "at=NaN,1", "at=1,2|x", "at=1,2&at=3,4", "q=1"} {
		if rec := do(t, s, http.MethodGet, "/api/v1/places?"+bad, "", nil); rec.Code != http.StatusBadRequest {
			t.Errorf("%q: %d", bad, rec.Code)
		}
	}
}

// FuzzParsePoints checks that accepted points are in WGS84 range.
func FuzzParsePoints(f *testing.F) {
	for _, s := range []string{"28.97,41.02", "1,2|3,4", "-180,-90", "1e400,2", ",|,", "0x1p3,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := parsePoints(s)
		if err != nil {
			return
		}
		if len(pts) == 0 || len(pts) > maxPlacePoints {
			t.Fatalf("%q: %d points", s, len(pts))
		}
		for _, p := range pts {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				t.Fatalf("%q gave %v", s, p)
			}
		}
	})
}

func day(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &d
}

func getTrend(t *testing.T, s http.Handler, q string) Trend {
	t.Helper()
	rec := do(t, s, http.MethodGet, "/api/v1/trends?"+q, "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", q, rec.Code, rec.Body.String())
	}
	var tr Trend
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrendsWithoutFoundingDates(t *testing.T) { onStores(t, testTrendsWithoutFoundingDates) }

func testTrendsWithoutFoundingDates(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	// Close every tenth public firm in March 2024; nothing has a founding date.
	closed := 0
	for i := range st.ests {
		e := &st.ests[i]
		if e.Kind == kume.KindFirm && e.DatasetID == 1 && e.ID%10 == 0 {
			e.Closed = day("2024-03-31")
			closed++
		}
	}
	st.reimport(t, nil)
	tr := getTrend(t, s, "region=province:34")
	if tr.Total != 200 || tr.FoundedUnknown != 200 || tr.Unit.Name != "İstanbul" || tr.Unit.Match != "boundary" {
		t.Errorf("total %d, founded unknown %d, unit %+v", tr.Total, tr.FoundedUnknown, tr.Unit)
	}
	if tr.Growth.Claimable || tr.Growth.Rate != nil || tr.Growth.Reason != "founding dates unknown for 200 of 200 firms" {
		t.Errorf("growth claimed without founding dates: %+v", tr.Growth)
	}
	if len(tr.Periods) != 1 || tr.Periods[0].Exits != closed || tr.Periods[0].Entries != 0 {
		t.Errorf("periods %+v, want one with %d exits", tr.Periods, closed)
	}
	if tr.Institutions[kume.University] != 50 {
		t.Errorf("institutions %v, want 50 universities", tr.Institutions)
	}
}

// TestTrendsPlanted plants founding and closing dates and checks every
// period's counts and employment against a direct count.
func TestTrendsPlanted(t *testing.T) { onStores(t, testTrendsPlanted) }

func testTrendsPlanted(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	months := []string{"2024-01-15", "2024-02-10", "2024-02-20", "2024-04-01"}
	for i := range st.ests {
		e := &st.ests[i]
		if e.Kind != kume.KindFirm {
			continue
		}
		e.Founded = day(months[int(e.ID)%4])
		e.Employees = kume.ExactEmployees(int(e.ID % 7))
		if e.ID%6 == 0 {
			e.Closed = day("2024-03-31")
		}
	}
	st.reimport(t, nil)
	tr := getTrend(t, s, "region=province:34&sector=13")
	if tr.Total != 200 || tr.FoundedUnknown != 0 || tr.EmployeesKnown != 200 {
		t.Fatalf("total %d, unknown %d, employees known %d", tr.Total, tr.FoundedUnknown, tr.EmployeesKnown)
	}
	if len(tr.Periods) != 4 {
		t.Fatalf("%d periods, want January–April", len(tr.Periods))
	}
	for _, p := range tr.Periods {
		end := mustDate(p.End)
		start := mustDate(p.Start)
		var entries, exits, active int
		var emp float64
		for _, e := range st.ests {
			if e.Kind != kume.KindFirm || e.DatasetID != 1 {
				continue
			}
			if !e.Founded.Before(start) && !e.Founded.After(end) {
				entries++
			}
			if e.Closed != nil && !e.Closed.Before(start) && !e.Closed.After(end) {
				exits++
			}
			if e.ActiveAt(end) {
				active++
				emp += float64(e.ID % 7)
			}
		}
		if p.Entries != entries || p.Exits != exits || p.Active != active || p.Net != entries-exits || p.EmployeesActive != emp {
			t.Errorf("%s: got %d/%d/%d net %d emp %v, want %d/%d/%d emp %v", p.Period, p.Entries, p.Exits, p.Active, p.Net, p.EmployeesActive, entries, exits, active, emp)
		}
	}
	// Growth runs from the end of January to the end of April.
	g := tr.Growth
	first, last := tr.Periods[0], tr.Periods[3]
	if !g.Claimable || g.Start != first.Active || g.End != last.Active || g.Rate == nil ||
		*g.Rate != float64(last.Active-first.Active)/float64(first.Active) || g.From != "2024-01-31" || g.To != "2024-04-30" {
		t.Errorf("growth %+v (January %d, April %d firms)", g, first.Active, last.Active)
	}
	// A register a tenth of whose firms lack a founding date states no rate.
	for i := range st.ests {
		if st.ests[i].Kind == kume.KindFirm && st.ests[i].ID%10 == 2 {
			st.ests[i].Founded = nil
		}
	}
	st.reimport(t, nil)
	tr = getTrend(t, s, "region=province:34&interval=year")
	if tr.FoundedUnknown != 25 || tr.Growth.Claimable || tr.Growth.Rate != nil {
		t.Errorf("with 25 of 200 founding dates missing: unknown %d, growth %+v", tr.FoundedUnknown, tr.Growth)
	}
}

func TestTrendsCluster(t *testing.T) { onStores(t, testTrendsCluster) }

func testTrendsCluster(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	tr := getTrend(t, s, "cluster=c-13-7-1")
	if tr.Unit.Kind != "cluster" || tr.Sector != "13" || tr.Unit.Match != "footprint" {
		t.Errorf("unit %+v sector %q", tr.Unit, tr.Sector)
	}
	if tr.Total == 0 || tr.Total >= 200 {
		t.Errorf("%d firms in a three-cell footprint", tr.Total)
	}
	for q, want := range map[string]int{
		"":                                    http.StatusBadRequest,
		"cluster=nope":                        http.StatusBadRequest,
		"cluster=c-13-7-1&region=province:34": http.StatusBadRequest,
		"region=province":                     http.StatusBadRequest,
		"region=province:99":                  http.StatusBadRequest,
		"region=province:34&interval=week":    http.StatusBadRequest,
		"region=province:34&sector=zz":        http.StatusBadRequest,
	} {
		if rec := do(t, s, http.MethodGet, "/api/v1/trends?"+q, "", nil); rec.Code != want {
			t.Errorf("%q: %d, want %d: %s", q, rec.Code, want, rec.Body.String())
		}
	}
}

func TestRegionLabels(t *testing.T) { onStores(t, testRegionLabels) }

func testRegionLabels(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	// A C-shaped region whose centroid lies outside it.
	putRegion(t, st, kume.Region{Code: "c", Name: "Crescent", Level: "district", Geometry: orb.MultiPolygon{{{
		{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}}})
	regions, err := st.Regions(context.Background(), kume.RegionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, s, http.MethodGet, "/api/v1/region-labels", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates orb.Point `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]string `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 2 {
		t.Fatalf("%d labels, want 2", len(fc.Features))
	}
	for _, f := range fc.Features {
		var reg kume.Region
		for _, r := range regions {
			if r.Code == f.Properties["code"] {
				reg = r
			}
		}
		if !planar.MultiPolygonContains(reg.Geometry, f.Geometry.Coordinates) || f.Properties["name"] != reg.Name {
			t.Errorf("label %v of %s lies outside it", f.Geometry.Coordinates, reg.Name)
		}
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/region-labels?level=a%20b", "", nil); rec.Code != http.StatusBadRequest {
		t.Errorf("bad level: %d", rec.Code)
	}
}
