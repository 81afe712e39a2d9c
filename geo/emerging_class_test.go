package geo

import (
	"testing"
)

// classifySeries classifies a series of Gi* z-scores the way a cube does:
// bins at the fixed 90/95/99% cut-offs, the Mann-Kendall test of the
// z-scores at alpha of the level.
func classifySeries(t *testing.T, z []float64, level int) (Category, mkTest) {
	t.Helper()
	bins := make([]int8, len(z))
	for i, v := range z {
		bins[i] = int8(Bin(v, TwoSidedP(v), binAlphas))
	}
	mk := mannKendall(z, make([]float64, len(z)))
	alpha := binAlphas[level-1]
	return ClassifyEmerging(bins, level, mk.significant(alpha) && mk.s > 0, mk.significant(alpha) && mk.s < 0), mk
}

// TestEmergingCategories builds one series of ten z-scores per category
// whose category follows from ArcGIS's definitions alone, and its cold
// mirror (the negated series).
func TestEmergingCategories(t *testing.T) {
	for _, c := range []struct {
		hot  Category
		cold Category
		z    []float64
		why  string
	}{
		{NewHotSpot, NewColdSpot, []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 3},
			"significant at the final step only, never before"},
		{ConsecutiveHotSpot, ConsecutiveColdSpot, []float64{0, 0.5, 0, 1, 0, 0, 0, 2.5, 3, 3.2},
			"one uninterrupted run of three significant steps at the end, none before, 30% < 90%"},
		{IntensifyingHotSpot, IntensifyingColdSpot, []float64{2, 2.2, 2.4, 2.6, 2.8, 3, 3.2, 3.4, 3.6, 3.8},
			"significant at every step, rising steadily (S = 45)"},
		{PersistentHotSpot, PersistentColdSpot, []float64{3, 2.5, 3.2, 2.6, 2.9, 2.7, 3.1, 2.4, 3.0, 2.8},
			"significant at every step, no trend"},
		{DiminishingHotSpot, DiminishingColdSpot, []float64{4, 3.8, 3.6, 3.4, 3.2, 3, 2.8, 2.6, 2.4, 2.2},
			"significant at every step, falling steadily (S = −45)"},
		{SporadicHotSpot, SporadicColdSpot, []float64{0, 3, 0, 0, 2, 0, 0, 0, 0, 3},
			"significant at the end and on and off before, never of the other colour, 30% < 90%"},
		{OscillatingHotSpot, OscillatingColdSpot, []float64{-3, 0, 0, 2, 0, 0, 0, 0, 0, 3},
			"significant at the end, of the other colour at an earlier step, 20% < 90%"},
		{HistoricalHotSpot, HistoricalColdSpot, []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 0},
			"significant at 90% of the steps but not at the final one"},
		{NoPattern, NoPattern, []float64{3, 0, 0, 0, 3, 0, 0, 0, 0, 0},
			"significant twice, not at the end, 20% < 90%"},
	} {
		got, mk := classifySeries(t, c.z, 1)
		if got != c.hot {
			t.Errorf("%v (%s): %s, want %s (S %d p %v)", c.z, c.why, got, c.hot, mk.s, mk.p)
		}
		neg := make([]float64, len(c.z))
		for i, v := range c.z {
			neg[i] = -v
		}
		if got, _ := classifySeries(t, neg, 1); got != c.cold {
			t.Errorf("%v (%s, mirrored): %s, want %s", neg, c.why, got, c.cold)
		}
	}
}

// TestEmergingCategoryRules checks the precedence and boundaries of the
// rules on bins directly.
func TestEmergingCategoryRules(t *testing.T) {
	for _, c := range []struct {
		bins         []int8
		level        int
		rising, fall bool
		want         Category
		why          string
	}{
		{[]int8{1, 1, 1, 1, 1, 1, 1, 1, 0, 1}, 1, false, false, PersistentHotSpot, "9 of 10 hot is 90%"},
		{[]int8{1, 1, 1, 1, 1, 1, 1, 0, 0, 1}, 1, true, false, SporadicHotSpot, "8 of 10 is below 90%: no trend category"},
		{[]int8{1, 1, 1, 1, 1, 1, 1, 1, -2, 1}, 1, true, false, IntensifyingHotSpot, "a cold step does not matter at 90% hot"},
		{[]int8{1, 1, 1, 1, 1, 1, 1, 1, 1, -1}, 1, false, false, OscillatingColdSpot, "the final cold step decides the colour"},
		{[]int8{1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, 1, false, true, HistoricalHotSpot, "final not significant, 90% hot, trend irrelevant"},
		{[]int8{-1, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 1, false, false, OscillatingHotSpot, "a first hot step after a cold one oscillates"},
		{[]int8{0, 0, 0, 0, 0, 0, 0, 0, 2, 2}, 1, false, false, ConsecutiveHotSpot, "a run of two"},
		{[]int8{1, 0, 0, 0, 0, 0, 0, 0, 0, 3}, 1, false, false, SporadicHotSpot, "hot before the final run"},
		{[]int8{1, 1, 0, 0, 0, 0, 0, 0, 0, 3}, 2, false, false, NewHotSpot, "bins of 90% do not count at the 95% level"},
		{[]int8{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 3, false, false, NoPattern, "no bin reaches 99%"},
		{[]int8{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 3, false, false, PersistentHotSpot, "every bin at 99%"},
		{[]int8{0, 1}, 1, false, false, NewHotSpot, "two steps"},
		{[]int8{1, 1}, 1, true, false, IntensifyingHotSpot, "two steps, both hot"},
		{[]int8{0, 0, 0}, 1, true, false, NoPattern, "nothing significant"},
		{nil, 1, false, false, NoPattern, "no steps"},
		{[]int8{3}, 0, false, false, NoPattern, "invalid level"},
	} {
		if got := ClassifyEmerging(c.bins, c.level, c.rising, c.fall); got != c.want {
			t.Errorf("%v level %d (%s): %s, want %s", c.bins, c.level, c.why, got, c.want)
		}
	}
}

func TestCategoryCodes(t *testing.T) {
	seen := map[int]bool{}
	for _, c := range Categories() {
		code := c.Code()
		if seen[code] {
			t.Fatalf("code %d twice", code)
		}
		seen[code] = true
	}
	if len(seen) != 17 || NoPattern.Code() != 0 || NewHotSpot.Code() != 1 || HistoricalHotSpot.Code() != 8 ||
		PersistentColdSpot.Code() != -4 || HistoricalColdSpot.Code() != -8 || Category("x").Code() != 0 {
		t.Errorf("codes %v", seen)
	}
}
