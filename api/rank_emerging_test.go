package api

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/synth"
)

// TestRankEmerging weighs the emerging component alone over generated firms
// with planted patterns (seeded, made up) and hand-made analysis results: the
// planted intensifying hot spot's cell and the footprint laid over it rank
// first, with the share of emerging cells as the component's value; regions
// have no value; without an engine the component is refused.
func TestRankEmerging(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	loadEmergingData(t, st)
	pat := synth.PlantedPatterns()[1] // intensifying, NACE 26.12
	centre, err := geo.CellOf(pat.Lon, pat.Lat, 7)
	if err != nil {
		t.Fatal(err)
	}
	far, err := geo.CellOf(30.0, 39.0, 7)
	if err != nil {
		t.Fatal(err)
	}
	var planted, elsewhere []uint64
	var stats []kume.CellStat
	for _, c := range h3.GridDisk(h3.Cell(centre), 1) {
		planted = append(planted, uint64(c))
	}
	for _, c := range h3.GridDisk(h3.Cell(far), 1) {
		elsewhere = append(elsewhere, uint64(c))
	}
	for _, c := range append(append([]uint64{}, planted...), elsewhere...) {
		stats = append(stats, kume.CellStat{Res: 7, Sector: "26.12", Cell: c, Firms: 5})
	}
	_, err = st.SaveAnalysis(ctx, &kume.AnalysisResult{Cells: stats, Clusters: []kume.Cluster{
		{ID: "planted", Sector: "26.12", Res: 7, Cells: planted, Firms: 50},
		{ID: "elsewhere", Sector: "26.12", Res: 7, Cells: elsewhere, Firms: 50},
	}})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := emerging.New(st, nil, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	k := StoreRanker{Store: st, Emerging: eng}
	only := map[string]float64{}
	for _, c := range geo.RankComponents() {
		only[c] = 0
	}
	only[geo.CompEmerging] = 1
	value := func(it RankItem) *float64 {
		for _, c := range it.Components {
			if c.Name == geo.CompEmerging {
				return c.Value
			}
		}
		return nil
	}

	cells, err := k.Rank(ctx, RankRequest{Sector: "26.12", Unit: UnitCell, Level: "7", Weights: only, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(cells.Items) != 14 {
		t.Fatalf("%d cells ranked, want 14", len(cells.Items))
	}
	last, centreValue := 1.0, -1.0
	for _, it := range cells.Items {
		v := value(it)
		if v == nil || (*v != 0 && *v != 1) || *v > last {
			t.Fatalf("cell %s: emerging value %v after %v, want 0 or 1, the emerging cells first", it.ID, v, last)
		}
		last = *v
		if it.ID == strconv.FormatUint(centre, 16) {
			centreValue = *v
		}
	}
	if centreValue != 1 || *value(cells.Items[len(cells.Items)-1]) != 0 {
		t.Errorf("the planted centre's value %v; the last cell's %v", centreValue, *value(cells.Items[len(cells.Items)-1]))
	}
	cls, err := k.Rank(ctx, RankRequest{Sector: "26.12", Unit: UnitCluster, Weights: only, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(cls.Items) != 2 || cls.Items[0].ID != "planted" || *value(cls.Items[0]) <= 0 || *value(cls.Items[1]) != 0 {
		t.Errorf("clusters ranked %+v", cls.Items)
	}
	// The default weights leave it out: no analysis is run for it.
	if n, _ := eng.Cached(); n != 1 {
		t.Fatalf("%d answers kept", n)
	}
	def, err := k.Rank(ctx, RankRequest{Sector: "13", Unit: UnitCluster})
	if err != nil || def.Weights[geo.CompEmerging] != 0 {
		t.Errorf("default weights %v, %v", def.Weights, err)
	}
	if n, _ := eng.Cached(); n != 1 {
		t.Errorf("a ranking that does not weigh the component ran %d analyses", n-1)
	}
	if _, err := (StoreRanker{Store: st}).Rank(ctx, RankRequest{Sector: "26.12", Unit: UnitCell, Level: "7", Weights: only}); kume.ErrorCode(err) != kume.ENOTSUPPORTED ||
		!strings.Contains(err.Error(), "emerging") {
		t.Errorf("without an engine: %v", err)
	}
}
