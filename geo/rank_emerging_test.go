package geo

import "testing"

// TestEmergingShare: the emerging component is the share of a unit's cells
// that are new, consecutive or intensifying hot spots; percentile ranks of
// it follow the ranking's rule (ties share the midpoint).
func TestEmergingShare(t *testing.T) {
	if EmergingShare(nil) != nil {
		t.Error("no cells: want unknown")
	}
	for _, c := range []struct {
		cats []Category
		want float64
	}{
		{[]Category{NewHotSpot}, 1},
		{[]Category{PersistentHotSpot}, 0},
		{[]Category{NewHotSpot, ConsecutiveHotSpot, IntensifyingHotSpot, PersistentHotSpot}, 0.75},
		{[]Category{DiminishingHotSpot, NewColdSpot, NoPattern, IntensifyingColdSpot, IntensifyingHotSpot}, 0.2},
	} {
		if got := EmergingShare(c.cats); got == nil || *got != c.want {
			t.Errorf("%v: %v, want %v", c.cats, got, c.want)
		}
	}
	units := []RankUnit{
		{ID: "a", Values: map[string]*float64{CompEmerging: EmergingShare([]Category{NewHotSpot, NoPattern})}},
		{ID: "b", Values: map[string]*float64{CompEmerging: EmergingShare([]Category{NoPattern})}},
		{ID: "c", Values: map[string]*float64{CompEmerging: EmergingShare([]Category{IntensifyingHotSpot})}},
		{ID: "d", Values: map[string]*float64{}},
	}
	w := Weights{CompEmerging: 1}
	ranked, err := Rank(units, w)
	if err != nil {
		t.Fatal(err)
	}
	// Values 0.5, 0, 1 and unknown among 4 units: percentiles 100·(1)/3,
	// 0, 100·(2)/3 and 0 (unknown).
	want := map[string]float64{"c": 200.0 / 3, "a": 100.0 / 3, "b": 0, "d": 0}
	for i, r := range ranked {
		if r.Score != want[r.ID] {
			t.Errorf("%s: score %v, want %v", r.ID, r.Score, want[r.ID])
		}
		if i == 0 && r.ID != "c" {
			t.Errorf("first %s, want c", r.ID)
		}
	}
	if DefaultWeights()[CompEmerging] != 0 {
		t.Error("the emerging component is weighed by default")
	}
}
