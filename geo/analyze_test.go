package geo

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

var ref = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func firmAt(lon, lat float64, nace string, emp int) kume.Establishment {
	return kume.Establishment{Kind: kume.KindFirm, NACE: nace, Lon: lon, Lat: lat,
		Precision: kume.PrecisionAddress, Employees: kume.ExactEmployees(emp)}
}

func run(t *testing.T, es []kume.Establishment, p Params, regions ...kume.Region) *kume.AnalysisResult {
	t.Helper()
	r, err := Analyze(context.Background(), Input{Establishments: Slice(es), Regions: regions,
		Ancestors: synthAncestors, ChainsOf: synthChains, RefDate: ref}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFinite(t, r)
	return r
}

func checkFinite(t *testing.T, r *kume.AnalysisResult) {
	t.Helper()
	bad := func(p *float64) bool { return p != nil && !finite(*p) }
	for _, c := range r.Cells {
		if bad(c.LQ) || bad(c.GiZ) || bad(c.GiP) || !finite(c.Employees) {
			t.Fatalf("non-finite value in %+v", c)
		}
	}
	for _, c := range r.Regions {
		if bad(c.LQ) || bad(c.LQEmployed) {
			t.Fatalf("non-finite value in %+v", c)
		}
	}
	if _, err := json.Marshal(r.Cells); err != nil {
		t.Fatal(err)
	}
}

func TestParentsEqualSumOfChildren(t *testing.T) {
	s := newSynth(20000, 7)
	p := DefaultParams()
	p.Resolutions = []int{4, 5, 6, 7, 8, 9}
	r, err := Analyze(context.Background(), s.input(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		res    int
		cell   uint64
		sector string
	}
	firms := map[key]int{}
	for _, c := range r.Cells {
		firms[key{c.Res, c.Cell, c.Sector}] += c.Firms + c.Imprecise
	}
	for res := 5; res <= 9; res++ {
		sum := map[key]int{}
		for k, v := range firms {
			if k.res == res {
				sum[key{res - 1, CellParent(k.cell, res-1), k.sector}] += v
			}
		}
		for k, v := range firms {
			if k.res == res-1 && sum[k] != v {
				t.Fatalf("res %d cell %x sector %q: parent %d, children %d", k.res, k.cell, k.sector, v, sum[k])
			}
		}
		if len(sum) == 0 {
			t.Fatalf("no cells at res %d", res)
		}
	}
}

func TestPreciseParentsEqualChildren(t *testing.T) {
	var es []kume.Establishment
	for i := 0; i < 300; i++ {
		es = append(es, firmAt(28.9+float64(i%17)*0.003, 41.0+float64(i%13)*0.002, "13.20", 5+i%7))
	}
	r := run(t, es, DefaultParams())
	tot := map[int]int{}
	emp := map[int]float64{}
	for _, c := range r.Cells {
		if c.Sector == "13" {
			tot[c.Res] += c.Firms
			emp[c.Res] += c.Employees
		}
	}
	for res := 4; res <= 9; res++ {
		if tot[res] != 300 || math.Abs(emp[res]-emp[4]) > 1e-9 {
			t.Errorf("res %d: %d firms, %v employees", res, tot[res], emp[res])
		}
	}
}

func TestImpreciseExcludedAtFineRes(t *testing.T) {
	var es []kume.Establishment
	// 60 firms all at one district centroid: a fake hot spot if counted.
	for i := 0; i < 60; i++ {
		e := firmAt(29.0, 41.0, "14.13", 3)
		e.Precision = kume.PrecisionDistrict
		es = append(es, e)
	}
	for i := 0; i < 200; i++ {
		es = append(es, firmAt(28.5+float64(i%20)*0.05, 40.6+float64(i/20)*0.08, "14.13", 3))
	}
	r := run(t, es, DefaultParams())
	centre := func(res int) kume.CellStat {
		c, _ := CellOf(29.0, 41.0, res)
		for _, s := range r.Cells {
			if s.Res == res && s.Cell == c && s.Sector == "14" {
				return s
			}
		}
		t.Fatalf("no row for the centroid at res %d", res)
		return kume.CellStat{}
	}
	for res := 6; res <= 9; res++ {
		c := centre(res)
		if c.Imprecise != 60 || c.GiBin > 0 {
			t.Errorf("res %d: imprecise %d firms %d bin %d", res, c.Imprecise, c.Firms, c.GiBin)
		}
	}
	if c := centre(5); c.Imprecise != 0 || c.Firms < 60 {
		t.Errorf("res 5 (district precision): firms %d imprecise %d", c.Firms, c.Imprecise)
	}
	for _, cl := range r.Clusters {
		if cl.Res > 5 {
			for _, c := range cl.Cells {
				if x, _ := CellOf(29.0, 41.0, cl.Res); x == c {
					t.Errorf("footprint %s contains the district centroid", cl.ID)
				}
			}
		}
	}
}

func TestLQInvariant(t *testing.T) {
	s := newSynth(20000, 3)
	p := DefaultParams()
	for _, measure := range []string{MeasureFirms, MeasureEmployment} {
		p.LQMeasure = measure
		r, err := Analyze(context.Background(), s.input(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		type rs struct {
			res    int
			sector string
		}
		all := map[[2]uint64]float64{} // (res, cell) → all-sector measure
		for _, c := range r.Cells {
			if c.Sector == "" {
				v := float64(c.Firms)
				if measure == MeasureEmployment {
					v = c.Employees
				}
				all[[2]uint64{uint64(c.Res), c.Cell}] = v
			}
		}
		num, den := map[rs]float64{}, map[int]float64{}
		for k, v := range all {
			den[int(k[0])] += v // E: the benchmark (whole dataset) total at that resolution
		}
		for _, c := range r.Cells {
			w := all[[2]uint64{uint64(c.Res), c.Cell}]
			if c.LQ != nil {
				num[rs{c.Res, c.Sector}] += w * *c.LQ
			} else if w > 0 && c.Firms > 0 {
				t.Fatalf("LQ nil for an occupied cell %+v", c)
			}
		}
		checked := 0
		for k := range num {
			if m := num[k] / den[k.res]; math.Abs(m-1) > 1e-9 {
				t.Errorf("%s: weighted mean LQ of %v = %v", measure, k, m)
			}
			checked++
		}
		if checked < 100 {
			t.Fatalf("only %d sector×res checked", checked)
		}
	}
	if LQ(1, 0, 1, 1) != nil || LQ(1, 1, 0, 1) != nil || LQ(math.NaN(), 1, 1, 1) != nil {
		t.Error("undefined LQ must be nil")
	}
	if v := LQ(2, 4, 10, 100); v == nil || *v != 5 {
		t.Errorf("LQ = %v, want 5", v)
	}
}

// textileKnot is a dense knot of 80 textile firms at 29.0° E 41.0° N in a
// sparse mixed background.
func textileKnot() []kume.Establishment {
	var es []kume.Establishment
	for i := 0; i < 80; i++ {
		es = append(es, firmAt(29.0+float64(i%9)*0.0015, 41.0+float64(i/9)*0.0013, "14.13", 10))
	}
	for i := 0; i < 400; i++ {
		es = append(es, firmAt(28.03+float64(i%20)*0.1, 40.03+float64(i/20)*0.1, "25.11", 4))
		es = append(es, firmAt(28.07+float64(i%20)*0.1, 40.07+float64(i/20)*0.1, "14.13", 4))
	}
	return es
}

func TestFootprintsAndInstitutions(t *testing.T) {
	es := textileKnot()
	osb := kume.Establishment{Kind: kume.KindInstitution, Type: kume.OSB, Lon: 29.005, Lat: 41.005, Precision: kume.PrecisionAddress}
	uni := kume.Establishment{Kind: kume.KindInstitution, Type: kume.University, Lon: 29.05, Lat: 41.0, Precision: kume.PrecisionAddress}
	// An OSB full of institutions is never a footprint by itself.
	for i := 0; i < 50; i++ {
		o := osb
		o.Lon, o.Lat = 27.5, 39.5
		es = append(es, o)
	}
	es = append(es, osb, uni)
	p := DefaultParams()
	r := run(t, es, p)
	// One cluster: the textile chain (tested on its core, 14) at the knot;
	// the division's own candidate is absorbed into it, the mixed
	// background and the sites form none.
	if len(r.Clusters) != 1 {
		for _, c := range r.Clusters {
			t.Logf("%s res %d firms %d lq %v cells %d", c.Sector, c.Res, c.Firms, *c.LQ, len(c.Cells))
		}
		t.Fatalf("%d clusters, want 1", len(r.Clusters))
	}
	got := &r.Clusters[0]
	if got.Sector != "vc:textiles" || got.FocusFirms < 80 || got.FocusFirms > 90 || got.Method != Method {
		t.Errorf("cluster %s with %d core firms (method %q), want vc:textiles with the knot's 80", got.Sector, got.FocusFirms, got.Method)
	}
	if len(CellsPolygon(got.Cells)) == 0 || len(got.Geometry) == 0 {
		t.Errorf("cluster %s without geometry", got.ID)
	}
	knot, _ := CellOf(29.005, 41.005, got.Res)
	if _, ok := slices.BinarySearch(got.Cells, knot); !ok {
		t.Errorf("cluster does not cover the knot")
	}
	if got.InstitutionsInside[kume.OSB]+got.InstitutionsNear[kume.OSB] != 1 ||
		got.InstitutionsInside[kume.University]+got.InstitutionsNear[kume.University] != 1 {
		t.Errorf("institutions inside %v near %v", got.InstitutionsInside, got.InstitutionsNear)
	}
	if got.Ecosystem == nil || !slices.Contains(got.Ecosystem.Present, "university") || slices.Contains(got.Ecosystem.Present, "bank") {
		t.Errorf("ecosystem %+v", got.Ecosystem)
	}
	if got.ID != ClusterID("vc:textiles", got.Res, got.Cells) {
		t.Error("id not derived from the cells")
	}
	if !strings.HasPrefix(got.Place, "41.00° N 2") || got.Name != got.Place+" – vc:textiles" {
		t.Errorf("place %q name %q: without regions or names, the coordinates and the key", got.Place, got.Name)
	}
	comps := Components(got.Cells)
	if len(comps) != 1 {
		t.Errorf("footprint cells form %d components", len(comps))
	}
	var pr Profile
	if err := json.Unmarshal(got.Profile, &pr); err != nil || len(pr.Strengths) == 0 {
		t.Errorf("profile: %v %+v", err, pr)
	}
	if pr.Growth != nil || len(pr.Notes) != 1 {
		t.Errorf("founding dates unknown: growth %v notes %v, want none and a note", pr.Growth, pr.Notes)
	}
	// rerun: same ids
	r2 := run(t, es, p)
	if len(r2.Clusters) != len(r.Clusters) || r2.Clusters[0].ID != r.Clusters[0].ID {
		t.Error("cluster ids not stable across runs")
	}
	// raising min firms removes it
	p.MinFirms = 1000
	if r3 := run(t, es, p); len(r3.Clusters) != 0 {
		t.Error("min firms not applied")
	}
}

func TestChainRoles(t *testing.T) {
	var es []kume.Establishment
	for i := 0; i < 90; i++ {
		code := "14.13"
		if i%3 == 0 {
			code = "13.20"
		}
		es = append(es, firmAt(29.0+float64(i%9)*0.0015, 41.0+float64(i/9)*0.0013, code, 10))
	}
	for i := 0; i < 300; i++ {
		es = append(es, firmAt(28.05+float64(i%20)*0.1, 40.05+float64(i/20)*0.1, "46.41", 4))
		es = append(es, firmAt(28.07+float64(i%20)*0.1, 40.07+float64(i/20)*0.1, "25.11", 4))
	}
	r := run(t, es, DefaultParams())
	for _, c := range r.Clusters {
		if c.Sector == "vc:textiles" {
			if len(c.RolesPresent) != 2 || len(c.RolesMissing) != 1 || c.RolesMissing[0] != kume.RoleDistribution {
				t.Errorf("roles present %v missing %v", c.RolesPresent, c.RolesMissing)
			}
			if c.Completeness == nil || math.Abs(*c.Completeness-2.0/3) > 1e-12 {
				t.Errorf("completeness %v", *c.Completeness)
			}
			return
		}
	}
	t.Fatal("no textiles chain footprint")
}

func TestBadInputs(t *testing.T) {
	ctx := context.Background()
	p := DefaultParams()
	// empty dataset
	r, err := Analyze(ctx, Input{}, p, nil)
	if err != nil || len(r.Cells) != 0 || len(r.Clusters) != 0 {
		t.Fatalf("empty: %v %d", err, len(r.Cells))
	}
	// single firm
	r = run(t, []kume.Establishment{firmAt(29, 41, "14.13", 3)}, p)
	for _, c := range r.Cells {
		if c.Firms == 1 && !c.Suppressed {
			t.Error("single firm not suppressed")
		}
		if c.GiZ != nil && c.Firms == 1 {
			// n > 1 (buffer), variance > 0: defined; fine
			continue
		}
	}
	// all firms in one cell: the study area has variance, results finite
	var one []kume.Establishment
	for i := 0; i < 50; i++ {
		one = append(one, firmAt(29, 41, "14.13", 3))
	}
	run(t, one, p)
	// NaN and out-of-range coordinates are skipped and counted
	nan := []kume.Establishment{firmAt(math.NaN(), 41, "14.13", 3), firmAt(29, 95, "14.13", 3), firmAt(29, 41, "14.13", 3)}
	r = run(t, nan, p)
	var info RunInfo
	if err := json.Unmarshal(r.Run.Params, &info); err != nil || info.Skipped != 2 || info.Firms != 1 {
		t.Errorf("run info %+v %v", info, err)
	}
	// a sector with no firms simply has no rows; RegionProfile reports not found
	if _, err := RegionProfile(r, "province", "X", "99", p); kume.ErrorCode(err) != kume.ENOTFOUND {
		t.Errorf("missing sector: %v", err)
	}
	// bad params
	for _, mod := range []func(*Params){
		func(p *Params) { p.Resolutions = []int{13} },
		func(p *Params) { p.Resolutions = nil },
		func(p *Params) { p.K = 0 },
		func(p *Params) { p.K = 1000 },
		func(p *Params) { p.DominanceShare = math.NaN() },
		func(p *Params) { p.Stars.SpecLQ = math.Inf(1) },
		func(p *Params) { p.Benchmark = "province" },
		func(p *Params) { p.GiLevels = []string{"nope"} },
	} {
		q := DefaultParams()
		mod(&q)
		if _, err := Analyze(ctx, Input{}, q, nil); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("bad params accepted: %+v (%v)", q, err)
		}
	}
	q := DefaultParams()
	q.LQConvention = ConventionUSCMP
	if _, err := Analyze(ctx, Input{}, q, nil); kume.ErrorCode(err) != kume.EINVALID {
		t.Error("uscmp without Traded accepted")
	}
	q = DefaultParams()
	q.Benchmark = "province:nope"
	if _, err := Analyze(ctx, Input{Establishments: Slice(one)}, q, nil); kume.ErrorCode(err) != kume.EINVALID {
		t.Error("unknown benchmark accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Analyze(cctx, newSynth(70000, 1).input(), p, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestRegionsByPolygonAndAttribute(t *testing.T) {
	sq := func(x0, y0 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x0 + 1, y0}, {x0 + 1, y0 + 1}, {x0, y0 + 1}, {x0, y0}}}}
	}
	regions := []kume.Region{{Code: "A", Level: "province", Geometry: sq(28, 40)}, {Code: "B", Level: "province", Geometry: sq(29, 40)}}
	var es []kume.Establishment
	for i := 0; i < 30; i++ {
		e := firmAt(28.5, 40.5, "14.13", 10)
		e.Attrs = map[string]string{"Bezirk": "Mitte"}
		es = append(es, e)
	}
	for i := 0; i < 30; i++ {
		e := firmAt(29.5, 40.5, "25.11", 10)
		e.Attrs = map[string]string{"Bezirk": "Pankow"}
		es = append(es, e)
	}
	p := DefaultParams()
	p.RegionAttrs = map[string]string{"bezirk": "Bezirk"}
	r := run(t, es, p, regions...)
	find := func(level, code, sector string) *kume.RegionStat {
		for i, s := range r.Regions {
			if s.Level == level && s.Code == code && s.Sector == sector {
				return &r.Regions[i]
			}
		}
		return nil
	}
	a := find("province", "A", "14")
	if a == nil || a.Firms != 30 || a.LQ == nil || *a.LQ != 2 {
		t.Fatalf("province A: %+v", a)
	}
	if s := find("bezirk", "Pankow", "25"); s == nil || s.Firms != 30 || s.LQEmployed == nil || *s.LQEmployed != 2 {
		t.Fatalf("bezirk Pankow: %+v", s)
	}
	if find("province", "B", "14") != nil {
		t.Error("row for a sector absent from the region")
	}
	// benchmark = province A: LQ of textiles in A is 1
	p.Benchmark = "province:A"
	r = run(t, es, p, regions...)
	if s := find("province", "A", "14"); s == nil || *s.LQ != 1 {
		t.Errorf("benchmark A: %+v", s)
	}
	pr, err := RegionProfile(r, "province", "A", "14", p)
	if err != nil || pr.Firms != 30 {
		t.Fatalf("profile %v %+v", err, pr)
	}
}

func TestDisclosure(t *testing.T) {
	cases := []struct {
		firms       int
		emp, maxEmp float64
		want        bool
	}{
		{0, 0, 0, false}, {2, 10, 5, true}, {3, 30, 10, false}, {3, 100, 90, true}, {5, 0, 0, false}, {3, 100, 85, false},
	}
	for _, c := range cases {
		if got := Suppressed(c.firms, c.emp, c.maxEmp, 3, 0.85); got != c.want {
			t.Errorf("Suppressed(%d, %v, %v) = %v", c.firms, c.emp, c.maxEmp, got)
		}
	}
	es := []kume.Establishment{firmAt(29, 41, "14.13", 5), firmAt(29, 41, "14.13", 5), firmAt(29.3, 41, "14.13", 1000),
		firmAt(29.3, 41, "14.13", 1), firmAt(29.3, 41, "14.13", 1)}
	r := run(t, es, DefaultParams())
	for _, c := range r.Cells {
		if c.Res == 9 && c.Sector == "14" && c.Firms > 0 && !c.Suppressed {
			t.Errorf("cell with %d firms / dominance not suppressed", c.Firms)
		}
	}
}

// TestDominanceNeedsExactCounts: firms known only by an employee band never
// trigger the dominance rule (a band's midpoint says nothing about one firm),
// firms with exact head counts do.
func TestDominanceNeedsExactCounts(t *testing.T) {
	banded := func(low, high int) kume.Establishment {
		e := firmAt(29, 41, "14.13", 0)
		e.Employees = kume.EmployeeBand(low, high)
		return e
	}
	cellOf := func(r *kume.AnalysisResult) kume.CellStat {
		for _, c := range r.Cells {
			if c.Res == 9 && c.Sector == "14" && c.Firms > 0 {
				return c
			}
		}
		t.Fatal("no res-9 cell of division 14")
		return kume.CellStat{}
	}
	bands := run(t, []kume.Establishment{banded(10, 49), banded(0, 0), banded(0, 0), banded(0, 0)}, DefaultParams())
	if c := cellOf(bands); c.Suppressed {
		t.Errorf("cell of banded firms suppressed (employees %v, estimated %v)", c.Employees, c.EmployeesEstimated)
	}
	exact := run(t, []kume.Establishment{firmAt(29, 41, "14.13", 30), firmAt(29, 41, "14.13", 0),
		firmAt(29, 41, "14.13", 0), firmAt(29, 41, "14.13", 0)}, DefaultParams())
	if c := cellOf(exact); !c.Suppressed {
		t.Error("cell where one firm holds all exact employment not suppressed")
	}
}

// A cluster no region holds is named after the nearest town: the town within
// 15 km, "near" it within 50 km, its coordinates beyond.
func TestClusterNamedByNearestTown(t *testing.T) {
	var es []kume.Establishment
	for i := 0; i < 80; i++ {
		es = append(es, firmAt(29.0+float64(i%9)*0.0015, 41.0+float64(i/9)*0.0013, "14.13", 10))
	}
	for i := 0; i < 400; i++ {
		es = append(es, firmAt(28.03+float64(i%20)*0.1, 40.03+float64(i/20)*0.1, "25.11", 4))
	}
	for _, c := range []struct {
		km     float64
		en, tr string
	}{{5, "Bursa", "Bursa"}, {30, "near Bursa", "Bursa yakını"}, {80, "41.0", "41.0"}} {
		in := Input{Establishments: Slice(es), Ancestors: synthAncestors, ChainsOf: synthChains, RefDate: ref,
			SectorNames:  func(string) (string, string) { return "Textiles", "Tekstil" },
			NearestPlace: func(lon, lat float64) (string, string, float64, bool) { return "Bursa", "Bursa", c.km, true }}
		r, err := Analyze(context.Background(), in, DefaultParams(), nil)
		if err != nil || len(r.Clusters) != 1 {
			t.Fatalf("%v km: %v, %d clusters", c.km, err, len(r.Clusters))
		}
		cl := r.Clusters[0]
		if !strings.HasPrefix(cl.Name, c.en) || !strings.HasSuffix(cl.Name, " – Textiles") ||
			!strings.HasPrefix(cl.NameTR, c.tr) || !strings.HasSuffix(cl.NameTR, " – Tekstil") {
			t.Errorf("%v km: named %q / %q", c.km, cl.Name, cl.NameTR)
		}
	}
}
