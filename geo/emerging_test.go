package geo

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// datedFixture returns seeded random firms around three centres in
// İstanbul (generated, not real), with founding and closing dates between
// 2008 and 2025, some undated, some placed too coarsely for resolution 8,
// and the establishments they were made from.
func datedFixture(seed uint64, n int) ([]DatedFirm, []kume.Establishment) {
	rng := rand.New(rand.NewPCG(seed, 99))
	centres := [][2]float64{{28.97, 41.01}, {29.03, 41.04}, {28.90, 40.99}}
	day := func(y0, y1 int) *time.Time {
		t := time.Date(y0, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN((y1-y0)*365))
		return &t
	}
	firms := make([]DatedFirm, 0, n)
	ests := make([]kume.Establishment, 0, n)
	for i := 0; i < n; i++ {
		c := centres[rng.IntN(len(centres))]
		lon, lat := c[0]+rng.NormFloat64()*0.012, c[1]+rng.NormFloat64()*0.009
		e := kume.Establishment{Lon: lon, Lat: lat, Precision: kume.PrecisionAddress}
		switch rng.IntN(10) {
		case 0:
			e.Precision = kume.PrecisionPostcode // counts up to resolution 7
		case 1:
			e.Precision = kume.PrecisionStreet
		}
		if rng.IntN(8) != 0 {
			e.Founded = day(2008, 2024)
		}
		if rng.IntN(3) == 0 {
			e.Closed = day(2012, 2025)
		}
		if rng.IntN(4) == 0 {
			e.Employees = kume.ExactEmployees(1 + rng.IntN(40))
		} else if rng.IntN(2) == 0 {
			e.Employees = kume.EmployeeBand(10, 49)
		}
		cell, err := CellOf(lon, lat, 9)
		if err != nil {
			panic(err)
		}
		emp, _ := e.Employees.Estimate()
		firms = append(firms, DatedFirm{Cell: cell, MaxRes: int8(MaxResFor(DefaultParams().MaxResByPrecision, e.Precision)),
			Founded: DayOf(e.Founded), Closed: DayOf(e.Closed), Employees: emp, ExactEmployees: e.Employees.Exact()})
		ests = append(ests, e)
	}
	return firms, ests
}

// TestEmergingCubeAgainstDense recomputes the cube of a generated register
// the obvious way: counts from kume.Establishment.ActiveAt at the end of
// each step's last day, the study area from h3.GridDisk, Gi* from a dense
// weight matrix over all bins, the Benjamini–Hochberg thresholds over all
// p-values, and compares.
func TestEmergingCubeAgainstDense(t *testing.T) {
	firms, ests := datedFixture(7, 900)
	for _, c := range []struct {
		res, k, window int
		undated        Undated
		employment     bool
		disclosureK    int
	}{
		{8, 1, 1, UndatedPresent, false, 3},
		{8, 2, 0, UndatedOmit, false, 0},
		{7, 1, 3, UndatedPresent, true, 5},
	} {
		steps, err := ParseSpan(StepYear, "2016", "2023")
		if err != nil {
			t.Fatal(err)
		}
		p := EmergingParams{Steps: steps, K: c.k, Window: c.window, FDR: true, Level: 1, Undated: c.undated,
			Employment: c.employment, DisclosureK: c.disclosureK, DominanceShare: 0.5}
		r, err := Emerging(context.Background(), firms, c.res, p)
		if err != nil {
			t.Fatal(err)
		}
		checkDense(t, r, ests, c.res)
	}
}

// checkDense compares r with the dense recomputation from ests.
func checkDense(t *testing.T, r *EmergingResult, ests []kume.Establishment, res int) {
	t.Helper()
	p := r.Params
	T := p.Steps.N
	// Active firms and employment per cell and step.
	type key struct {
		cell h3.Cell
		t    int
	}
	firms, emp, exact, largest := map[key]int32{}, map[key]float64{}, map[key]float64{}, map[key]float64{}
	occupied := map[h3.Cell]bool{}
	for i := range ests {
		e := &ests[i]
		if MaxResFor(DefaultParams().MaxResByPrecision, e.Precision) < res || (e.Founded == nil && p.Undated == UndatedOmit) {
			continue
		}
		cell := h3.LatLngToCell(h3.NewLatLng(e.Lat, e.Lon), 9).Parent(res)
		for s := 0; s < T; s++ {
			_, last := p.Steps.Bounds(s)
			if e.ActiveAt(last.AddDate(0, 0, 1).Add(-time.Nanosecond)) {
				firms[key{cell, s}]++
				v, _ := e.Employees.Estimate()
				emp[key{cell, s}] += v
				if e.Employees.Exact() {
					exact[key{cell, s}] += v
					largest[key{cell, s}] = max(largest[key{cell, s}], v)
				}
				occupied[cell] = true
			}
		}
	}
	study := map[h3.Cell]bool{}
	for c := range occupied {
		for _, d := range h3.GridDisk(c, p.K) {
			study[d] = true
		}
	}
	var cells []uint64
	for c := range study {
		cells = append(cells, uint64(c))
	}
	slices.Sort(cells)
	if !slices.Equal(cells, r.Cells) {
		t.Fatalf("res %d k %d: %d study cells, want %d", res, p.K, len(r.Cells), len(cells))
	}
	m := len(cells)
	n := float64(m * T)
	x := make([]float64, m*T)
	dominated := 0
	for i, c := range cells {
		for s := 0; s < T; s++ {
			k := key{h3.Cell(c), s}
			if r.Firms[i*T+s] != firms[k] || math.Abs(r.Employees[i*T+s]-emp[k]) > 1e-9 {
				t.Fatalf("cell %x step %d: %d firms %v employees, want %d %v", c, s, r.Firms[i*T+s], r.Employees[i*T+s], firms[k], emp[k])
			}
			if r.Suppressed != nil {
				want := firms[k] > 0 && (firms[k] < int32(p.DisclosureK) || (exact[k] > 0 && largest[k] > p.DominanceShare*exact[k]))
				if r.Suppressed[i*T+s] != want {
					t.Fatalf("cell %x step %d: suppressed %v, want %v", c, s, r.Suppressed[i*T+s], want)
				}
				if want && firms[k] >= int32(p.DisclosureK) {
					dominated++
				}
			}
			x[i*T+s] = float64(firms[k])
			if p.Employment {
				x[i*T+s] = emp[k]
			}
		}
	}
	if r.Suppressed != nil && dominated == 0 {
		t.Errorf("no bin suppressed by the dominance rule: the fixture does not test it")
	}
	var mean, sd float64
	for _, v := range x {
		mean += v / n
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean) / n
	}
	sd = math.Sqrt(sd)
	// Dense weights: w = 1 for j in i's grid disk and s in [t − window, t].
	disk := make([]map[uint64]bool, m)
	for i, c := range cells {
		disk[i] = map[uint64]bool{}
		for _, d := range h3.GridDisk(h3.Cell(c), p.K) {
			disk[i][uint64(d)] = true
		}
	}
	var ps []float64
	for i := 0; i < m; i++ {
		for s := 0; s < T; s++ {
			var wx, w float64
			for j := 0; j < m; j++ {
				for u := 0; u < T; u++ {
					if disk[i][cells[j]] && u <= s && u >= s-p.Window {
						wx += x[j*T+u]
						w++
					}
				}
			}
			want := (wx - mean*w) / (sd * math.Sqrt((n*w-w*w)/(n-1)))
			if got := r.Z[i*T+s]; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("cell %x step %d: Gi* %v, want %v", cells[i], s, got, want)
			}
			ps = append(ps, math.Erfc(math.Abs(want)/math.Sqrt2))
		}
	}
	slices.Sort(ps)
	for l, q := range []float64{0.10, 0.05, 0.01} {
		want := -1.0
		for i := len(ps) - 1; i >= 0; i-- {
			if ps[i] <= float64(i+1)*q/float64(len(ps)) {
				want = ps[i]
				break
			}
		}
		if math.Abs(r.Thresholds[l]-want) > 1e-9*math.Abs(want) {
			t.Errorf("threshold at %v: %v, want %v", q, r.Thresholds[l], want)
		}
	}
	hot := 0
	for i := 0; i < m; i++ {
		lo, hi := r.Series(i)
		for b := lo; b < hi; b++ {
			if want := Bin(r.Z[b], TwoSidedP(r.Z[b]), r.Thresholds); int(r.Bins[b]) != want {
				t.Fatalf("bin %d: %d, want %d", b, r.Bins[b], want)
			}
			if r.Bins[b] > 0 {
				hot++
			}
		}
		mk, err := MannKendall(r.Z[lo:hi])
		if err != nil {
			t.Fatal(err)
		}
		tr := r.Trend(i)
		if tr.S != mk.S || !samePtr(tr.Z, mk.Z) || !samePtr(tr.P, mk.P) || !samePtr(tr.Tau, mk.Tau) {
			t.Fatalf("cell %d: trend %+v, want %+v", i, tr, mk)
		}
		sig := mk.P != nil && *mk.P <= p.Alpha()
		if want := ClassifyEmerging(r.Bins[lo:hi], p.Level, sig && mk.S > 0, sig && mk.S < 0); r.Category[i] != want {
			t.Fatalf("cell %d: %s, want %s", i, r.Category[i], want)
		}
	}
	if hot == 0 {
		t.Errorf("res %d: no hot bin in three dense centres", res)
	}
}

func TestEmergingTimeSteps(t *testing.T) {
	for _, c := range []struct {
		step     Step
		from, to string
		first    string
		n        int
		lastEnd  string
	}{
		{StepYear, "2015", "2024", "2015", 10, "2024-12-31"},
		{StepQuarter, "2015", "2015-05-03", "2015-Q1", 2, "2015-06-30"},
		{StepQuarter, "2019-Q4", "2020-Q1", "2019-Q4", 2, "2020-03-31"},
		{StepMonth, "2020-01-31", "2020-02", "2020-01", 2, "2020-02-29"},
		{StepMonth, "2019-11", "2020-02-10", "2019-11", 4, "2020-02-29"},
		{StepYear, "2019-12-31", "2020-01-01", "2019", 2, "2020-12-31"},
	} {
		ts, err := ParseSpan(c.step, c.from, c.to)
		if err != nil {
			t.Fatalf("%s %s..%s: %v", c.step, c.from, c.to, err)
		}
		_, end := ts.Bounds(ts.N - 1)
		if ts.Label(0) != c.first || ts.N != c.n || end.Format(time.DateOnly) != c.lastEnd {
			t.Errorf("%s %s..%s: first %s n %d end %s, want %s %d %s", c.step, c.from, c.to, ts.Label(0), ts.N, end.Format(time.DateOnly), c.first, c.n, c.lastEnd)
		}
	}
	for _, c := range [][3]string{
		{"year", "2020", "2020"}, // one step
		{"year", "2021", "2020"},
		{"decade", "2010", "2020"},
		{"month", "1900-01", "2020-01"}, // too many steps
		{"year", "2020-13", "2021"},
		{"year", "2020-Q5", "2021"},
		{"year", "20", "2021"},
		{"year", "2020", "2021-02-30"},
		{"year", "0000", "2021"},
		{"year", "+202", "2021"},
		{"year", "2020-1", "2021"},
	} {
		if _, err := ParseSpan(Step(c[0]), c[1], c[2]); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("%v: %v, want EINVALID", c, err)
		}
	}
	// Activity: founded during a step counts at its end, closed during it
	// does not; undated firms follow the rule.
	ts, _ := ParseSpan(StepYear, "2020", "2024")
	d := func(s string) Day {
		tt, _ := time.Parse(time.DateOnly, s)
		return DayOf(&tt)
	}
	for _, c := range []struct {
		founded, closed Day
		undated         Undated
		first, last     int
		ok              bool
	}{
		{d("2020-12-31"), NoDay, UndatedOmit, 0, 4, true},
		{d("2021-01-01"), d("2023-12-31"), UndatedOmit, 1, 2, true},
		{d("2021-06-01"), d("2021-07-01"), UndatedOmit, 0, 0, false},
		{NoDay, d("2022-03-01"), UndatedPresent, 0, 1, true},
		{NoDay, NoDay, UndatedOmit, 0, 0, false},
		{d("2030-01-01"), NoDay, UndatedPresent, 0, 0, false},
		{d("1990-01-01"), d("2019-05-05"), UndatedPresent, 0, 0, false},
		{d("2023-01-01"), d("2021-01-01"), UndatedPresent, 0, 0, false}, // closed before founded
	} {
		first, last, ok := ts.Active(c.founded, c.closed, c.undated)
		if ok != c.ok || (ok && (first != c.first || last != c.last)) {
			t.Errorf("%+v: %d..%d %v", c, first, last, ok)
		}
	}
}

func TestEmergingParamsAndBounds(t *testing.T) {
	firms, _ := datedFixture(3, 200)
	steps, _ := ParseSpan(StepYear, "2016", "2023")
	good := EmergingParams{Steps: steps, K: 1, Window: 1, FDR: true, Level: 1, Undated: UndatedPresent}
	for _, mod := range []func(*EmergingParams){
		func(p *EmergingParams) { p.K = 0 },
		func(p *EmergingParams) { p.K = MaxK + 1 },
		func(p *EmergingParams) { p.Window = -1 },
		func(p *EmergingParams) { p.Window = MaxWindow + 1 },
		func(p *EmergingParams) { p.Level = 4 },
		func(p *EmergingParams) { p.Undated = "maybe" },
		func(p *EmergingParams) { p.Steps.N = 1 },
		func(p *EmergingParams) { p.DisclosureK = 3 },
		func(p *EmergingParams) { p.MaxBins = 100 }, // the cube is larger
	} {
		p := good
		mod(&p)
		if _, err := Emerging(context.Background(), firms, 8, p); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", p, err)
		}
	}
	bad := append([]DatedFirm(nil), firms...)
	bad[5].Cell = 12345
	if _, err := Emerging(context.Background(), bad, 8, good); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("invalid cell: %v", err)
	}
	coarse := append([]DatedFirm(nil), firms...)
	coarse[5].Cell = CellParent(coarse[5].Cell, 6)
	if _, err := Emerging(context.Background(), coarse, 8, good); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("cell coarser than the cube: %v", err)
	}
	// A grid built around other cells does not hold these firms.
	g, err := NewEmergingGrid([]uint64{CellParent(firms[0].Cell, 8)}, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Analyze(context.Background(), firms, good); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("firms outside the grid: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Emerging(ctx, firms, 8, good); err == nil {
		t.Error("cancelled context ignored")
	}
}

// TestEmergingGridShared checks that a grid built around the cells of every
// key gives each key the same result as its own grid.
func TestEmergingGridShared(t *testing.T) {
	firms, _ := datedFixture(11, 1200)
	steps, _ := ParseSpan(StepYear, "2014", "2023")
	p := EmergingParams{Steps: steps, K: 1, Window: 1, FDR: true, Level: 2, Undated: UndatedPresent}
	var all []uint64
	for _, f := range firms {
		all = append(all, CellParent(f.Cell, 7))
	}
	g, err := NewEmergingGrid(all, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	part := firms[:300]
	shared, err := g.Analyze(context.Background(), part, p)
	if err != nil {
		t.Fatal(err)
	}
	own, err := Emerging(context.Background(), part, 7, p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shared.Cells, own.Cells) || !slices.Equal(shared.Category, own.Category) || !slices.Equal(shared.Bins, own.Bins) {
		t.Fatal("a shared grid changes the result")
	}
	for i := range own.Z {
		if shared.Z[i] != own.Z[i] && !(math.IsNaN(shared.Z[i]) && math.IsNaN(own.Z[i])) {
			t.Fatalf("bin %d: %v vs %v", i, shared.Z[i], own.Z[i])
		}
	}
}

// samePtr reports whether two optional numbers are both nil or equal.
func samePtr(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// FuzzParsePeriod checks that any text either parses to a period whose
// first day is not after its last, or is rejected, and that ParseSpan never
// panics.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2015", "2015-Q2", "2015-04", "2015-04-30", "2015-02-29", "9999-Q4", "0001", "2015-Q0", "", "２０１５", "2015-4-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, last, err := ParsePeriod(s)
		if err == nil && (first.After(last) || first.Year() < 1 || last.Year() > 9999) {
			t.Fatalf("%q: %v..%v", s, first, last)
		}
		for _, step := range []Step{StepYear, StepQuarter, StepMonth} {
			ts, err := ParseSpan(step, s, "2024")
			if err == nil && (ts.N < 2 || ts.N > MaxSteps) {
				t.Fatalf("%q: %d steps", s, ts.N)
			}
		}
	})
}
