package main

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/demo"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/store/postgis"
)

// fixtureNow is the clock of the tile services that compare encoders.
func fixtureNow() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// loadEncoderFixture returns a fresh migrated PostGIS store, and its URL,
// holding the demo
// data, its analysis and, on top, the edge cases of the encoder comparison: a
// region level "fixture" (a polygon with a hole and a wrongly wound exterior, a
// multipolygon with a finely drawn circle, a non-ASCII code) with statistics
// (suppressed, NaN LQ, a tie at the 0.1 rounding of employees), hand-made
// clusters of sector C (hole, multipolygon, suppressed), a private dataset
// and establishments that closed, with every kind of head count.
func loadEncoderFixture(t testing.TB) (*postgis.Store, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dbURL := pgtest.NewDatabase(t)
	st, err := postgis.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, tax); err != nil {
		t.Fatal(err)
	}
	if err := st.PutRegions(ctx, fixtureRegions()); err != nil {
		t.Fatal(err)
	}
	addFixtureEstablishments(ctx, t, st)
	params, err := analysisParams(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	runner, err := analysis.New(st, tax, analysis.Config{Params: params})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(ctx, kume.AnalysisPublic)
	if err != nil {
		t.Fatal(err)
	}
	// A new version with the analysis's clusters and region statistics and the
	// fixture's (the hexagons layer, which stays the tile service's, is not
	// compared: no cells).
	next := kume.AnalysisResult{Run: res.Run}
	next.Clusters = append(append(next.Clusters, res.Clusters...), fixtureClusters()...)
	fixed := fixtureRegionStats()
	for _, r := range res.Regions {
		if !slices.ContainsFunc(fixed, func(f kume.RegionStat) bool {
			return f.Level == r.Level && f.Code == r.Code && f.Sector == r.Sector
		}) {
			next.Regions = append(next.Regions, r)
		}
	}
	next.Regions = append(next.Regions, fixed...)
	if _, err := st.SaveAnalysis(ctx, &next); err != nil {
		t.Fatal(err)
	}
	return st, dbURL
}

// ring returns the closed ring through pts.
func ring(pts ...orb.Point) orb.Ring { return append(orb.Ring(pts), pts[0]) }

// box returns the ring of a box, counter-clockwise (or clockwise when cw).
func box(x0, y0, x1, y1 float64, cw bool) orb.Ring {
	if cw {
		return ring(orb.Point{x0, y0}, orb.Point{x0, y1}, orb.Point{x1, y1}, orb.Point{x1, y0})
	}
	return ring(orb.Point{x0, y0}, orb.Point{x1, y0}, orb.Point{x1, y1}, orb.Point{x0, y1})
}

// circle returns a counter-clockwise ring of n points around c.
func circle(c orb.Point, r float64, n int) orb.Ring {
	pts := make([]orb.Point, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		// a slightly wobbly edge, so that simplification has work to do
		rr := r * (1 + 0.01*math.Sin(17*a))
		pts[i] = orb.Point{c[0] + rr*math.Cos(a)/math.Cos(c[1]*math.Pi/180), c[1] + rr*math.Sin(a)}
	}
	return ring(pts...)
}

// fixtureRegions returns the regions of level "fixture", in Berlin.
func fixtureRegions() []kume.Region {
	return []kume.Region{
		{Level: "fixture", Code: "F1", Name: "Square with a hole", Parent: "F",
			Geometry: orb.MultiPolygon{{box(13.30, 52.45, 13.50, 52.55, true), box(13.38, 52.48, 13.42, 52.52, false)}}},
		{Level: "fixture", Code: "F2", Name: "Circle and triangle",
			Geometry: orb.MultiPolygon{
				{circle(orb.Point{13.60, 52.50}, 0.05, 720)},
				{ring(orb.Point{13.20, 52.35}, orb.Point{13.25, 52.35}, orb.Point{13.22, 52.40})},
			}},
		{Level: "fixture", Code: "İZ-Ç", Name: "İzmir Çarşı", Parent: "F",
			Geometry: orb.MultiPolygon{{
				ring(orb.Point{13.10, 52.60}, orb.Point{13.15, 52.60}, orb.Point{13.15, 52.62},
					orb.Point{13.125, 52.605}, orb.Point{13.10, 52.62}),
				box(13.11, 52.602, 13.112, 52.604, true),
			}}},
	}
}

// fixtureRegionStats returns statistics of the fixture regions for the
// sector "" (all firms).
func fixtureRegionStats() []kume.RegionStat {
	lq, nan := 1.5, math.NaN()
	return []kume.RegionStat{
		{Level: "fixture", Code: "F1", Firms: 12, Employees: 12.25, LQ: &lq, LQEmployed: &nan, Stars: 2, Strong: true},
		{Level: "fixture", Code: "F2", Firms: 3, Employees: 4, LQ: &lq, Stars: 1, Suppressed: true},
		{Level: "fixture", Code: "İZ-Ç", Firms: 40, Employees: 0.04, LQ: &nan, LQEmployed: &lq},
	}
}

// fixtureClusters returns clusters of sector C around Berlin.
func fixtureClusters() []kume.Cluster {
	cell := uint64(h3.LatLngToCell(h3.LatLng{Lat: 52.5, Lng: 13.4}, 7))
	lq, nan, comp := 2.25, math.NaN(), 0.5
	return []kume.Cluster{
		{ID: "fx-hole", Sector: "C", Res: 7, Name: "Hole", Cells: []uint64{cell},
			Geometry: orb.MultiPolygon{{box(13.55, 52.38, 13.70, 52.45, false), box(13.60, 52.40, 13.65, 52.43, true)}},
			Firms:    25, Employees: 12.25, LQ: &lq, Stars: 3, Completeness: &comp,
			InstitutionsInside: map[kume.InstitutionType]int{kume.University: 2, kume.Chamber: 1}},
		{ID: "fx-multi", Sector: "C", Res: 7, Cells: []uint64{cell},
			Geometry: orb.MultiPolygon{{circle(orb.Point{13.25, 52.55}, 0.03, 400)}, {box(13.28, 52.60, 13.33, 52.63, true)}},
			Firms:    9, Employees: 100.05, LQ: &nan, Stars: 1, Completeness: &nan},
		{ID: "fx-suppressed", Sector: "C", Res: 7, Name: "Suppressed", Cells: []uint64{cell},
			Geometry: orb.MultiPolygon{{box(13.42, 52.56, 13.47, 52.59, false)}},
			Firms:    2, Employees: 3, LQ: &lq, Stars: 0, Suppressed: true, Completeness: &comp},
	}
}

// addFixtureEstablishments imports a public and a private dataset of
// establishments in Berlin: closed firms, each kind of head count, no NACE
// code, institutions with and without a type.
func addFixtureEstablishments(ctx context.Context, t testing.TB, st *postgis.Store) {
	t.Helper()
	day := func(s string) *time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	public := []kume.Establishment{
		{SourceID: "closed", Name: "Geschlossen GmbH", Kind: kume.KindFirm, NACE: "25.11",
			Employees: kume.ExactEmployees(7), Founded: day("2010-05-01"), Closed: day("2020-01-01"), Lon: 13.401, Lat: 52.501},
		{SourceID: "future", Name: "Zukunft AG", Kind: kume.KindFirm, NACE: "C",
			Employees: kume.EmployeeBand(10, 49), Founded: day("2025-06-01"), Lon: 13.402, Lat: 52.502},
		{SourceID: "open-band", Name: "Groß & Söhne", Kind: kume.KindFirm, NACE: "10.11",
			Employees: kume.EmployeeBand(250, -1), Lon: 13.403, Lat: 52.503},
		{SourceID: "unknown", Name: "", Kind: kume.KindFirm, Lon: 13.404, Lat: 52.504},
		{SourceID: "zero", Name: "Null", Kind: kume.KindFirm, NACE: "62.01", Employees: kume.ExactEmployees(0), Lon: 13.405, Lat: 52.505},
		{SourceID: "large", Name: "Large", Kind: kume.KindFirm, NACE: "62.01", Employees: kume.ExactEmployees(300), Lon: 13.406, Lat: 52.506},
		{SourceID: "uni", Name: "Universität", Kind: kume.KindInstitution, Type: kume.University, Lon: 13.407, Lat: 52.507},
		{SourceID: "chamber", Name: "Kammer", Kind: kume.KindInstitution, Type: kume.Chamber, Lon: 13.408, Lat: 52.508},
	}
	private := []kume.Establishment{
		{SourceID: "secret-firm", Name: "Secret firm", Kind: kume.KindFirm, NACE: "25.11", Lon: 13.4015, Lat: 52.5015},
		{SourceID: "secret-uni", Name: "Secret institute", Kind: kume.KindInstitution, Type: kume.University, Lon: 13.4075, Lat: 52.5075},
	}
	for _, ds := range []struct {
		d    kume.Dataset
		rows []kume.Establishment
	}{
		{kume.Dataset{Name: "fixture-public", Visibility: kume.Public}, public},
		{kume.Dataset{Name: "fixture-private", Visibility: kume.Private}, private},
	} {
		if err := st.CreateDataset(ctx, &ds.d); err != nil {
			t.Fatal(err)
		}
		imp, err := st.BeginImport(ctx, ds.d.ID, kume.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := imp.Add(ctx, ds.rows); err != nil {
			t.Fatal(err)
		}
		if _, err := imp.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
