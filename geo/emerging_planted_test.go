package geo_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/synth"
)

// generated holds the valid rows of a synthetic register as the cube sees
// them, with their NACE codes.
type generated struct {
	firms []geo.DatedFirm
	nace  []string
}

// generate runs the synthetic generator (seeded; every firm is made up)
// and keeps its valid rows.
func generate(tb testing.TB, cfg synth.Config) *generated {
	tb.Helper()
	g, err := synth.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	out := &generated{}
	var f synth.Firm
	for g.Next(&f) {
		if f.Defect != "" {
			continue
		}
		d, err := datedFirm(&f)
		if err != nil {
			tb.Fatalf("row %s: %v", f.ID, err)
		}
		out.firms = append(out.firms, d)
		out.nace = append(out.nace, f.NACE)
	}
	return out
}

// datedFirm converts a generated row: cell at resolution 9, dates,
// employees (a count or a band's midpoint, as kume import reads them).
func datedFirm(f *synth.Firm) (geo.DatedFirm, error) {
	cell, err := geo.CellOf(f.Lon, f.Lat, kume.BaseResolution)
	if err != nil {
		return geo.DatedFirm{}, err
	}
	d := geo.DatedFirm{Cell: cell, MaxRes: geo.MaxResolution, Founded: geo.NoDay, Closed: geo.NoDay}
	for _, c := range []struct {
		s   string
		day *geo.Day
	}{{f.Founded, &d.Founded}, {f.Closed, &d.Closed}} {
		if c.s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, c.s)
		if err != nil {
			return d, err
		}
		*c.day = geo.DayOf(&t)
	}
	switch lo, hi, band := strings.Cut(strings.TrimSuffix(f.Employees, "+"), "-"); {
	case f.Employees == "":
	case band:
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		d.Employees = float64(a+b) / 2
	case strings.HasSuffix(f.Employees, "+"):
		a, _ := strconv.Atoi(lo)
		d.Employees = 1.5 * float64(a)
	default:
		n, _ := strconv.Atoi(lo)
		d.Employees, d.ExactEmployees = float64(n), true
	}
	return d, nil
}

// of returns the firms whose NACE code starts with prefix.
func (g *generated) of(prefix string) []geo.DatedFirm {
	var out []geo.DatedFirm
	for i, n := range g.nace {
		if strings.HasPrefix(n, prefix) {
			out = append(out, g.firms[i])
		}
	}
	return out
}

// plantedParams are the defaults of GET /emerging over the planted span.
func plantedParams(tb testing.TB) geo.EmergingParams {
	tb.Helper()
	steps, err := geo.ParseSpan(geo.StepYear, strconv.Itoa(synth.PlantedFrom), strconv.Itoa(synth.PlantedTo))
	if err != nil {
		tb.Fatal(err)
	}
	return geo.EmergingParams{Steps: steps, K: 1, Window: 1, FDR: true, Level: 1, Undated: geo.UndatedPresent}
}

// TestPlantedPatternsRecovered generates registers with planted patterns
// (several seeds), analyses each pattern's NACE class with the API's
// defaults (yearly steps over the planted span, k = 1, window 1, FDR, 90%),
// and checks that the cell at the planted place has the planted category:
// at resolutions 6 and 7 with 60,000 firms, and also at 8 with 400,000
// (finer cells need more firms: at resolution 8, 60,000 firms leave the
// oscillating pattern's ring too sparse for its empty core to be a cold
// spot).
func TestPlantedPatternsRecovered(t *testing.T) {
	for _, c := range []struct {
		firms int
		seed  uint64
		res   []int
	}{
		{60_000, 1, []int{6, 7}}, {60_000, 2, []int{6, 7}}, {60_000, 3, []int{6, 7}}, {60_000, 4, []int{6, 7}},
		{400_000, 5, []int{6, 7, 8}},
	} {
		g := generate(t, synth.Config{Firms: c.firms, Seed: c.seed, Patterns: true})
		for _, pat := range synth.PlantedPatterns() {
			firms := g.of(pat.NACE)
			for _, res := range c.res {
				r, err := geo.Emerging(context.Background(), firms, res, plantedParams(t))
				if err != nil {
					t.Fatal(err)
				}
				i := slices.Index(r.Cells, mustCell(t, pat.Lon, pat.Lat, res))
				if i < 0 {
					t.Errorf("seed %d res %d %s: the planted place is outside the study area", c.seed, res, pat.Name)
					continue
				}
				if r.Category[i] != pat.Category {
					t.Errorf("seed %d res %d %s: the planted place is %s, want %s\n%s", c.seed, res, pat.Name,
						r.Category[i], pat.Category, describe(r, i))
				}
				// Nowhere else: every cell of the category is within the
				// pattern's core, give or take two cells.
				reach := pat.CoreKm + 2*h3.HexagonEdgeLengthAvgKm(res)*2
				for j, cell := range r.Cells {
					if r.Category[j] != pat.Category {
						continue
					}
					if d := km(geo.CellCenter(cell), orb.Point{pat.Lon, pat.Lat}); d > reach {
						t.Errorf("seed %d res %d %s: %s %.1f km from the planted place", c.seed, res, pat.Name, pat.Category, d)
					}
				}
			}
		}
	}
}

// km is the great-circle distance between two points.
func km(a, b orb.Point) float64 {
	const r = 6371.0088
	la1, la2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	h := math.Pow(math.Sin((la2-la1)/2), 2) + math.Cos(la1)*math.Cos(la2)*math.Pow(math.Sin((b[0]-a[0])*math.Pi/360), 2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

func mustCell(tb testing.TB, lon, lat float64, res int) uint64 {
	tb.Helper()
	c, err := geo.CellOf(lon, lat, res)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// describe prints the series of cell i.
func describe(r *geo.EmergingResult, i int) string {
	var b strings.Builder
	lo, hi := r.Series(i)
	tr := r.Trend(i)
	fmt.Fprintf(&b, "trend S %d", tr.S)
	if tr.P != nil {
		fmt.Fprintf(&b, " p %.4f", *tr.P)
	}
	for j := lo; j < hi; j++ {
		fmt.Fprintf(&b, "\n  %s firms %d z %.2f bin %d", r.Params.Steps.Label(j-lo), r.Firms[j], r.Z[j], r.Bins[j])
	}
	fmt.Fprintf(&b, "\n  thresholds %v", r.Thresholds)
	return b.String()
}
