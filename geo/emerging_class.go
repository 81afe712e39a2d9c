package geo

// Category is the emerging hot spot pattern of one location (ArcGIS Pro,
// "How Emerging Hot Spot Analysis works").
type Category string

// The 17 categories. Code gives ArcGIS's numbering (1..8 hot, −1..−8 cold,
// 0 no pattern).
const (
	NoPattern           Category = "no_pattern"
	NewHotSpot          Category = "new_hot_spot"
	ConsecutiveHotSpot  Category = "consecutive_hot_spot"
	IntensifyingHotSpot Category = "intensifying_hot_spot"
	PersistentHotSpot   Category = "persistent_hot_spot"
	DiminishingHotSpot  Category = "diminishing_hot_spot"
	SporadicHotSpot     Category = "sporadic_hot_spot"
	OscillatingHotSpot  Category = "oscillating_hot_spot"
	HistoricalHotSpot   Category = "historical_hot_spot"

	NewColdSpot          Category = "new_cold_spot"
	ConsecutiveColdSpot  Category = "consecutive_cold_spot"
	IntensifyingColdSpot Category = "intensifying_cold_spot"
	PersistentColdSpot   Category = "persistent_cold_spot"
	DiminishingColdSpot  Category = "diminishing_cold_spot"
	SporadicColdSpot     Category = "sporadic_cold_spot"
	OscillatingColdSpot  Category = "oscillating_cold_spot"
	HistoricalColdSpot   Category = "historical_cold_spot"
)

// categoryKindsPerColor is the number of hot (or cold) categories.
const categoryKindsPerColor = 8

// Categories lists the 17 categories in ArcGIS's order: no pattern, the
// hot spots 1..8, the cold spots −1..−8.
func Categories() []Category {
	return []Category{NoPattern,
		NewHotSpot, ConsecutiveHotSpot, IntensifyingHotSpot, PersistentHotSpot,
		DiminishingHotSpot, SporadicHotSpot, OscillatingHotSpot, HistoricalHotSpot,
		NewColdSpot, ConsecutiveColdSpot, IntensifyingColdSpot, PersistentColdSpot,
		DiminishingColdSpot, SporadicColdSpot, OscillatingColdSpot, HistoricalColdSpot}
}

// Code returns ArcGIS's CATEGORY number of c: 1 new, 2 consecutive,
// 3 intensifying, 4 persistent, 5 diminishing, 6 sporadic, 7 oscillating,
// 8 historical; negative for the cold spots; 0 for no pattern.
func (c Category) Code() int {
	all := Categories()
	for i, v := range all[1:] {
		if v == c {
			if i < categoryKindsPerColor {
				return i + 1
			}
			return -(i - categoryKindsPerColor + 1)
		}
	}
	return 0
}

// Emerging reports whether c is an emerging hot spot: a new, consecutive or
// intensifying hot spot, one whose concentration is new or growing at the
// final step (ArcGIS's definitions of the three). It is what the ranking's
// emerging component counts.
func (c Category) Emerging() bool {
	return c == NewHotSpot || c == ConsecutiveHotSpot || c == IntensifyingHotSpot
}

// kinds of pattern, in the order of the categories of one colour.
const (
	kindNone = iota
	kindNew
	kindConsecutive
	kindIntensifying
	kindPersistent
	kindDiminishing
	kindSporadic
	kindOscillating
	kindHistorical
)

// category returns the category of a kind and colour.
func category(kind int, hot bool) Category {
	if kind == kindNone {
		return NoPattern
	}
	all := Categories()
	if hot {
		return all[kind]
	}
	return all[categoryKindsPerColor+kind]
}

// ClassifyEmerging returns the category of a location from its Gi* bins per
// time step (−3..3, oldest first; see Bin), the confidence level a bin must
// reach to count as a significant hot (bin ≥ level) or cold (bin ≤ −level)
// spot (1, 2 or 3 for 90, 95 or 99%), and the Mann-Kendall trend of its
// z-scores: rising or falling, each true only when significant.
//
// The rules are ArcGIS Pro's, with h the number of hot steps and n the
// number of steps, "90%" meaning h ≥ 0.9 n, and precedence made explicit
// where ArcGIS's definitions overlap:
//
//   - the final step decides the colour: hot → a hot pattern, cold → a cold
//     pattern (its mirror, with hot and cold and the trend's sign swapped),
//     neither → historical or no pattern;
//   - final hot, h ≥ 90%: intensifying (significant upward trend),
//     diminishing (significant downward trend), else persistent;
//   - final hot, h < 90%: oscillating if any earlier step was a cold spot;
//     else new if h = 1; else consecutive if the hot steps are one
//     uninterrupted run at the end; else sporadic;
//   - final neither hot nor cold: historical hot spot if h ≥ 90%
//     (historical cold spot likewise), else no pattern.
func ClassifyEmerging(bins []int8, level int, rising, falling bool) Category {
	n := len(bins)
	if n == 0 || level < 1 || level > 3 {
		return NoPattern
	}
	lv := int8(level)
	last := bins[n-1]
	switch {
	case last >= lv:
		return category(kindOf(bins, lv, 1, rising, falling), true)
	case last <= -lv:
		return category(kindOf(bins, lv, -1, falling, rising), false)
	}
	hot, cold := 0, 0
	for _, b := range bins {
		if b >= lv {
			hot++
		} else if b <= -lv {
			cold++
		}
	}
	switch {
	case ninety(hot, n):
		return HistoricalHotSpot
	case ninety(cold, n):
		return HistoricalColdSpot
	}
	return NoPattern
}

// ninety reports k ≥ 90% of n.
func ninety(k, n int) bool { return 10*k >= 9*n }

// kindOf classifies bins whose final step is a spot of the colour sign
// (+1 hot: bin ≥ lv; −1 cold: bin ≤ −lv), with up the significant trend
// towards stronger spots of that colour and down the opposite one.
func kindOf(bins []int8, lv, sign int8, up, down bool) int {
	n := len(bins)
	hot, cold := 0, 0 // steps of the colour and of the other one
	for _, b := range bins {
		if sign*b >= lv {
			hot++
		} else if sign*b <= -lv {
			cold++
		}
	}
	if ninety(hot, n) {
		switch {
		case up:
			return kindIntensifying
		case down:
			return kindDiminishing
		}
		return kindPersistent
	}
	if cold > 0 {
		return kindOscillating
	}
	if hot == 1 {
		return kindNew
	}
	run := 0
	for i := n - 1; i >= 0 && sign*bins[i] >= lv; i-- {
		run++
	}
	if run == hot {
		return kindConsecutive
	}
	return kindSporadic
}
