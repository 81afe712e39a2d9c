package api

import (
	"context"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/store/memory"
)

// TestRankResolution: a cluster or cell ranking without a resolution takes
// the resolution with the most footprints of the sector, the finer of a tie,
// and layer.DefaultRes for a sector without footprints; a given one must be
// an H3 resolution.
func TestRankResolution(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	cl := func(id string, res int, sector string) kume.Cluster {
		return kume.Cluster{ID: id, Sector: sector, Res: res, Cells: []uint64{uint64(len(id))}}
	}
	_, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{Clusters: []kume.Cluster{
		cl("a", 6, "13"), cl("b", 6, "13"), cl("c", 8, "13"), cl("d", 8, "13"),
		cl("e", 5, "10"), cl("f", 5, "10"), cl("g", 9, "10"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	k := StoreRanker{Store: st}
	for _, tc := range []struct {
		sector, level string
		want          int
		code          string
	}{
		{"13", "", 8, ""},               // two at 6, two at 8: the finer
		{"10", "", 5, ""},               // two at 5, one at 9
		{"C", "", layer.DefaultRes, ""}, // no footprint of the key
		{"13", "5", 5, ""},              // asked for
		{"13", "16", 0, kume.EINVALID},  // no H3 resolution
		{"13", "province", 0, kume.EINVALID},
	} {
		got, err := k.rankResolution(ctx, RankRequest{Sector: tc.sector, Unit: UnitCell, Level: tc.level})
		if got != tc.want || kume.ErrorCode(err) != tc.code {
			t.Errorf("sector %q level %q: %d, %v; want %d, code %q", tc.sector, tc.level, got, err, tc.want, tc.code)
		}
	}
}

// TestBusiestLevel: a region ranking without a level takes the level whose
// regions hold the most firms of the sector, the first by name of a tie.
func TestBusiestLevel(t *testing.T) {
	stats := []kume.RegionStat{{Level: "province", Firms: 10}, {Level: "district", Firms: 4}, {Level: "district", Firms: 6}}
	if got := busiestLevel(stats); got != "district" {
		t.Errorf("tie: %q, want district", got)
	}
	stats = append(stats, kume.RegionStat{Level: "province", Firms: 1})
	if got := busiestLevel(stats); got != "province" {
		t.Errorf("%q, want province", got)
	}
	if got := busiestLevel(nil); got != "" {
		t.Errorf("no statistics: %q", got)
	}
}
