package api

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/layer"
)

// TestRankResolution: a cluster or cell ranking without a resolution takes
// the resolution with the most footprints of the sector, the finer of a tie,
// and layer.DefaultRes for a sector without footprints; a given one must be
// an H3 resolution.
func TestRankResolution(t *testing.T) { onStores(t, testRankResolution) }

func testRankResolution(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
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

// TestRankClustersAcrossResolutions: a cluster ranking takes every cluster of
// the sector, whatever resolution each place kept, with names in both
// languages; a level narrows it to one resolution. A region ranking names
// its regions.
func TestRankClustersAcrossResolutions(t *testing.T) { onStores(t, testRankClustersAcrossResolutions) }

func testRankClustersAcrossResolutions(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
	lq := func(v float64) *float64 { return &v }
	cl := func(id string, res int, sector string, v float64) kume.Cluster {
		return kume.Cluster{ID: id, Sector: sector, Res: res, Name: id + " – Textiles", NameTR: id + " – Tekstil",
			Cells: []uint64{uint64(len(id))}, Firms: int(10 * v), LQ: lq(v)}
	}
	if err := st.PutRegions(ctx, []kume.Region{{Level: "province", Code: "20", Name: "Denizli",
		Geometry: orb.MultiPolygon{{{{29, 37.7}, {29.2, 37.7}, {29.2, 37.9}, {29, 37.9}, {29, 37.7}}}}}}); err != nil {
		t.Fatal(err)
	}
	_, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{
		Clusters: []kume.Cluster{cl("Denizli", 6, "vc:textiles", 4), cl("Bursa", 7, "vc:textiles", 3), cl("İzmir", 7, "vc:food", 2)},
		Regions:  []kume.RegionStat{{Level: "province", Code: "20", Sector: "vc:textiles", Firms: 40, LQ: lq(3)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	k := StoreRanker{Store: st}
	got, err := k.Rank(ctx, RankRequest{Sector: "vc:textiles", Unit: UnitCluster})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 2 || got.Items[0].Name != "Denizli – Textiles" || got.Items[0].NameTR != "Denizli – Tekstil" {
		t.Errorf("clusters ranked %+v, want Denizli (res 6) before Bursa (res 7)", got.Items)
	}
	got, err = k.Rank(ctx, RankRequest{Sector: "vc:textiles", Unit: UnitCluster, Level: "7"})
	if err != nil || len(got.Items) != 1 || got.Items[0].ID != "Bursa" {
		t.Errorf("level 7: %+v, %v; want Bursa alone", got.Items, err)
	}
	got, err = k.Rank(ctx, RankRequest{Sector: "vc:textiles", Unit: UnitRegion})
	if err != nil || len(got.Items) != 1 || got.Items[0].Name != "Denizli" {
		t.Errorf("regions: %+v, %v; want Denizli by name", got.Items, err)
	}
}
