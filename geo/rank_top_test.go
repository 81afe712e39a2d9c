package geo

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"testing"

	"github.com/kume-geo/kume"
)

// referenceRank is the ranking written out as docs/METHODS.md states it, one
// unit and component at a time with maps, the way kume computed it before
// RankTop: the test's yardstick.
func referenceRank(units []RankUnit, w Weights) []Ranked {
	var comps []string
	var wsum float64
	for _, c := range RankComponents() {
		if w[c] == 0 {
			continue
		}
		for _, u := range units {
			if v := u.Values[c]; v != nil && finite(*v) {
				comps = append(comps, c)
				wsum += w[c]
				break
			}
		}
	}
	out := make([]Ranked, len(units))
	for i, u := range units {
		out[i] = Ranked{ID: u.ID}
	}
	for _, c := range comps {
		var vals []float64
		for _, u := range units {
			if v := u.Values[c]; v != nil && finite(*v) {
				vals = append(vals, *v)
			}
		}
		slices.Sort(vals)
		wn := w[c] / wsum
		for i, u := range units {
			cs := ComponentScore{Component: c, Weight: wn}
			if v := u.Values[c]; v != nil && finite(*v) {
				val := *v
				below, equal := 0, 0
				for _, x := range vals {
					if x < val {
						below++
					} else if x == val {
						equal++
					}
				}
				cs.Value = &val
				cs.Percentile = 100
				if len(units) > 1 {
					cs.Percentile = 100 * (float64(below) + 0.5*float64(equal-1)) / float64(len(units)-1)
				}
				cs.Contribution = wn * cs.Percentile
			}
			out[i].Score += cs.Contribution
			out[i].Components = append(out[i].Components, cs)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// seededUnits returns n units with values drawn from a few levels (so that
// ties are common), some unknown, some non-finite, and ids in random order.
func seededUnits(seed uint64, n int) []RankUnit {
	rng := rand.New(rand.NewPCG(seed, 17))
	units := make([]RankUnit, n)
	for i := range units {
		u := RankUnit{ID: CellID(0x87_1f_00_00_00_00_00_00 + uint64(rng.IntN(1<<40))), Values: map[string]*float64{}}
		for _, c := range RankComponents() {
			switch r := rng.IntN(10); {
			case r == 0:
				// unknown
			case r == 1:
				u.Values[c] = fp(math.Inf(1))
			default:
				u.Values[c] = fp(float64(rng.IntN(12)) / 4)
			}
		}
		units[i] = u
	}
	return units
}

// TestRankTopMatchesReference: on seeded units with ties, unknown and
// non-finite values, Rank (RankTop underneath) gives the reference ranking to
// the bit: ids, ranks, scores and every component; RankTop's first n are the
// first n of the whole ranking.
func TestRankTopMatchesReference(t *testing.T) {
	weights := []Weights{
		DefaultWeights(),
		{CompSpecialisation: 3, CompFirms: 1},
		{CompHotSpot: 1, CompDynamism: 0, CompInstitutions: 2.5},
	}
	for seed := uint64(1); seed <= 6; seed++ {
		for _, n := range []int{1, 2, 7, 300} {
			units := seededUnits(seed, n)
			for _, w := range weights {
				want := referenceRank(units, w)
				got, err := Rank(units, w)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d, %d units, weights %v: Rank differs from the reference\n got %+v\nwant %+v", seed, n, w, got[0], want[0])
				}
			}
		}
	}
	// The first n of RankTop are the first n of the whole ranking.
	units := seededUnits(9, 500)
	rows := make([]RankRow, len(units))
	for i, u := range units {
		rows[i].Key = uint64(i)
		for c, name := range RankComponents() {
			rows[i].Values[c] = math.NaN()
			if v := u.Values[name]; v != nil {
				rows[i].Values[c] = *v
			}
		}
	}
	all, err := RankTop(rows, DefaultWeights(), 0)
	if err != nil {
		t.Fatal(err)
	}
	top, err := RankTop(rows, DefaultWeights(), 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 500 || !reflect.DeepEqual(top, all[:20]) {
		t.Errorf("RankTop(20) is not the first 20 of RankTop(0): %d of %d", len(top), len(all))
	}
}

// TestRankTopClosedForm: three cells with firms 10, 20, 20 and nothing else:
// percentiles 0, 75, 75 (100 × (below + ½ equal others) / (N − 1)); the tie
// keeps key order.
func TestRankTopClosedForm(t *testing.T) {
	row := func(key uint64, firms float64) RankRow {
		r := RankRow{Key: key}
		for i := range r.Values {
			r.Values[i] = math.NaN()
		}
		r.Values[componentIndex(CompFirms)] = firms
		return r
	}
	got, err := RankTop([]RankRow{row(3, 20), row(1, 10), row(2, 20)}, DefaultWeights(), 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := []uint64{got[0].Key, got[1].Key, got[2].Key}
	scores := []float64{got[0].Score, got[1].Score, got[2].Score}
	if !slices.Equal(keys, []uint64{2, 3, 1}) || !slices.Equal(scores, []float64{75, 75, 0}) {
		t.Errorf("keys %v scores %v; want [2 3 1] [75 75 0]", keys, scores)
	}
	if c := got[0].Components; len(c) != 1 || c[0].Weight != 1 || c[0].Percentile != 75 || *c[0].Value != 20 {
		t.Errorf("components %+v", c)
	}
	if _, err := RankTop(nil, Weights{CompFirms: -1}, 0); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("negative weight: %v", err)
	}
}

// TestRankTopMemory: ranking 200,000 rows for the first 20 allocates about
// 16 bytes a row (one sorted column, the scores) and 4 for the order, not
// the kilobyte a row that units with maps and every row's components took.
func TestRankTopMemory(t *testing.T) {
	rows := make([]RankRow, 200_000)
	rng := rand.New(rand.NewPCG(4, 4))
	for i := range rows {
		rows[i].Key = uint64(i)
		for c := range rows[i].Values {
			rows[i].Values[c] = float64(rng.IntN(1000))
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	top, err := RankTop(rows, DefaultWeights(), 20)
	runtime.ReadMemStats(&after)
	if err != nil || len(top) != 20 {
		t.Fatal(len(top), err)
	}
	perRow := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(rows))
	t.Logf("RankTop of %d rows: %.1f bytes allocated per row", len(rows), perRow)
	if perRow > 24 {
		t.Errorf("RankTop allocated %.1f bytes per row, want at most 24", perRow)
	}
}

// TestCellRankRow: a cell with active firms that is not suppressed is ranked
// on LQ, firms, employment, Gi* z and its institutions; others are not.
func TestCellRankRow(t *testing.T) {
	lq, z := 1.5, 2.0
	c := kume.CellStat{Cell: 0x871f1d489ffffff, Firms: 4, Employees: 12, LQ: &lq, GiZ: &z}
	row, ok := CellRankRow(&c, 2)
	if !ok || row.Key != c.Cell {
		t.Fatalf("row %+v, %v", row, ok)
	}
	want := map[string]float64{CompSpecialisation: 1.5, CompFirms: 4, CompEmployment: 12, CompHotSpot: 2, CompInstitutions: 2}
	for i, name := range RankComponents() {
		v, known := want[name]
		if got := row.Values[i]; known && got != v || !known && !math.IsNaN(got) {
			t.Errorf("%s = %v, want %v (known %v)", name, got, v, known)
		}
	}
	for _, x := range []kume.CellStat{{Firms: 0}, {Firms: 3, Suppressed: true}} {
		if _, ok := CellRankRow(&x, 0); ok {
			t.Errorf("%+v ranked", x)
		}
	}
	if CellID(c.Cell) != "871f1d489ffffff" {
		t.Errorf("CellID %q", CellID(c.Cell))
	}
}

// TestRankRowHoldsEveryComponent: a RankRow has a value for each of
// RankComponents, so a component added to the list cannot overrun it.
func TestRankRowHoldsEveryComponent(t *testing.T) {
	if n := len(RankComponents()); n != numRankComponents {
		t.Fatalf("RankComponents lists %d components, RankRow holds %d", n, numRankComponents)
	}
}
