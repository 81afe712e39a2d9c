package api

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
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

// referenceCellUnits builds the units of a cell ranking the way kume did
// before cell rankings were streamed: every cell statistic of the key and of
// all firms at the resolution in memory, one map-backed unit per cell.
func referenceCellUnits(cells []kume.CellStat, sector string, res int) []geo.RankUnit {
	inst := map[uint64]int{}
	for _, c := range cells {
		if c.Res == res && c.Sector == kume.SectorAll {
			for _, n := range c.Institutions {
				inst[c.Cell] += n
			}
		}
	}
	var out []geo.RankUnit
	for _, c := range cells {
		if c.Res != res || c.Sector != sector || c.Firms == 0 || c.Suppressed {
			continue
		}
		v := func(x float64) *float64 { return &x }
		out = append(out, geo.RankUnit{ID: geo.CellID(c.Cell), Values: map[string]*float64{
			geo.CompSpecialisation: c.LQ, geo.CompFirms: v(float64(c.Firms)), geo.CompEmployment: v(c.Employees),
			geo.CompHotSpot: c.GiZ, geo.CompInstitutions: v(float64(inst[c.Cell])),
		}})
	}
	return out
}

// seededCells returns the cell statistics of all firms and of sector 13 at
// resolution 7 in a box around Bursa (some 45,000 cells), drawn from a seeded generator: values
// on a coarse grid (so ties are common), some unknown LQs and z-scores,
// some suppressed or empty cells, institutions in some cells.
func seededCells(t *testing.T, seed uint64, n int) []kume.CellStat {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	seen := map[uint64]bool{}
	var out []kume.CellStat
	for len(seen) < n {
		cell, err := geo.CellOf(28+3*rng.Float64(), 39+2*rng.Float64(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if seen[cell] {
			continue
		}
		seen[cell] = true
		num := func() *float64 {
			if rng.IntN(8) == 0 {
				return nil
			}
			x := float64(rng.IntN(16)) / 4
			return &x
		}
		all := kume.CellStat{Res: 7, Cell: cell, Firms: rng.IntN(30), Employees: float64(rng.IntN(200)), LQ: num(), GiZ: num()}
		if rng.IntN(5) == 0 {
			all.Institutions = map[kume.InstitutionType]int{kume.University: 1 + rng.IntN(2)}
		}
		sec := kume.CellStat{Res: 7, Cell: cell, Sector: "13", Firms: rng.IntN(6), Employees: float64(rng.IntN(40)),
			LQ: num(), GiZ: num(), Suppressed: rng.IntN(10) == 0}
		out = append(out, all, sec)
	}
	return out
}

// hideStreaming hides a store's EachCellStat, so that the ranker falls back
// to CellStats.
type hideStreaming struct{ kume.Store }

// TestRankCellsMatchesUnits: a cell ranking streamed into compact rows gives
// the ranking kume computed from every statistic and map-backed units (ids,
// ranks, scores, components), for all firms and for a sector, on a store
// that streams and on one that does not; a resolution with more cells than
// the cap is a 400.
func TestRankCellsMatchesUnits(t *testing.T) { onStores(t, testRankCellsMatchesUnits) }

func testRankCellsMatchesUnits(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	cells := seededCells(t, 3, 2000)
	st := teststores.Open(t, kind)
	if _, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{Cells: cells}); err != nil {
		t.Fatal(err)
	}
	if _, ok := kume.Store(st).(kume.CellStreamer); !ok {
		t.Fatalf("the %s store does not stream cell statistics", kind)
	}
	weights := geo.Weights{geo.CompSpecialisation: 2, geo.CompFirms: 1, geo.CompInstitutions: 1, geo.CompHotSpot: 0.5}
	for _, store := range []kume.Store{st, hideStreaming{st}} {
		for _, sector := range []string{kume.SectorAll, "13"} {
			w := geo.DefaultWeights()
			for name, v := range weights {
				w[name] = v
			}
			want, err := geo.Rank(referenceCellUnits(cells, sector, 7), w)
			if err != nil {
				t.Fatal(err)
			}
			got, err := StoreRanker{Store: store}.Rank(ctx, RankRequest{Sector: sector, Unit: UnitCell, Level: "7",
				Weights: weights, Limit: 150})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 300 || len(got.Items) != 150 {
				t.Fatalf("sector %q: %d items of %d units", sector, len(got.Items), len(want))
			}
			for i, item := range got.Items {
				if wantItem := rankItem(want[i]); !reflect.DeepEqual(item, wantItem) {
					t.Fatalf("sector %q (%T), item %d:\n got %+v\nwant %+v", sector, store, i, item, wantItem)
				}
			}
		}
	}
	_, err := StoreRanker{Store: st, MaxCells: 10}.Rank(ctx, RankRequest{Sector: "13", Unit: UnitCell, Level: "7", Limit: 5})
	if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), "coarser") {
		t.Errorf("beyond the cap: %v, want a 400 that says to choose a coarser resolution", err)
	}
}
