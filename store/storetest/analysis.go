package storetest

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

func testAnalysis(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()

	_, err := s.LatestAnalysis(ctx)
	wantCode(t, err, kume.ENOTFOUND, "LatestAnalysis before the first")
	cells, err := s.CellStats(ctx, kume.CellFilter{Res: 9})
	must(t, err, "CellStats before the first analysis")
	clusters, err := s.Clusters(ctx, kume.ClusterFilter{})
	must(t, err, "Clusters before the first analysis")
	regions, err := s.RegionStats(ctx, kume.RegionStatFilter{})
	must(t, err, "RegionStats before the first analysis")
	if len(cells)+len(clusters)+len(regions) != 0 {
		t.Errorf("results before the first analysis: %d cells, %d clusters, %d regions", len(cells), len(clusters), len(regions))
	}
	_, err = s.Cluster(ctx, 0, "13-9-abc")
	wantCode(t, err, kume.ENOTFOUND, "Cluster before the first analysis")

	v0 := dataVersion(t, s)
	r1 := AnalysisResult()
	v1, err := s.SaveAnalysis(ctx, r1)
	must(t, err, "SaveAnalysis")
	if v1 <= v0 || r1.Run.Version != v1 {
		t.Errorf("SaveAnalysis returned %d and set Run.Version %d; data version was %d", v1, r1.Run.Version, v0)
	}
	if dv := dataVersion(t, s); dv < v1 {
		t.Errorf("DataVersion %d after SaveAnalysis returned %d", dv, v1)
	}
	run, err := s.LatestAnalysis(ctx)
	must(t, err, "LatestAnalysis")
	if !sameRun(*run, r1.Run) {
		t.Errorf("LatestAnalysis = %+v, want %+v", *run, r1.Run)
	}
	if run.StartedAt.Location() != time.UTC || run.FinishedAt.Location() != time.UTC {
		t.Errorf("run times not in UTC: %v, %v", run.StartedAt, run.FinishedAt)
	}

	want := AnalysisResult()
	t.Run("CellStats", func(t *testing.T) { testCellStats(t, s, want, v1) })
	t.Run("Clusters", func(t *testing.T) { testClusters(t, s, want, v1) })
	t.Run("RegionStats", func(t *testing.T) { testRegionStats(t, s, want, v1) })

	// A second run replaces the first for readers of the current version.
	r2 := AnalysisResult()
	r2.Cells = r2.Cells[:2]
	r2.Cells[0].Firms = 99
	r2.Clusters = r2.Clusters[1:2]
	r2.Regions = r2.Regions[3:]
	r2.Run.Params = []byte(`{"second":true}`)
	v2, err := s.SaveAnalysis(ctx, r2)
	must(t, err, "second SaveAnalysis")
	if v2 <= v1 {
		t.Errorf("second SaveAnalysis returned %d after %d", v2, v1)
	}
	run, err = s.LatestAnalysis(ctx)
	must(t, err, "LatestAnalysis")
	if run.Version != v2 || !sameJSON(run.Params, r2.Run.Params) {
		t.Errorf("LatestAnalysis after the second run = %+v", *run)
	}
	assertCells(t, "current after second run", s, kume.CellFilter{Res: 9}, r2.Cells)
	_, err = s.Cluster(ctx, 0, "13-9-abc")
	wantCode(t, err, kume.ENOTFOUND, "Cluster of an older version only")
	cl, err := s.Clusters(ctx, kume.ClusterFilter{})
	must(t, err, "Clusters")
	if len(cl) != 1 || cl[0].ID != "13-9-def" {
		t.Errorf("Clusters after the second run = %d clusters", len(cl))
	}
	rs, err := s.RegionStats(ctx, kume.RegionStatFilter{Sector: "13"})
	must(t, err, "RegionStats")
	if len(rs) != 1 || rs[0].Code != "1609" {
		t.Errorf("RegionStats after the second run = %+v", rs)
	}
}

func testCellStats(t *testing.T, s kume.Store, r *kume.AnalysisResult, version int64) {
	pick := func(res int, sector string, cells ...uint64) []kume.CellStat {
		var out []kume.CellStat
		for _, c := range r.Cells {
			if c.Res == res && c.Sector == sector && (cells == nil || slices.Contains(cells, c.Cell)) {
				out = append(out, c)
			}
		}
		slices.SortFunc(out, func(a, b kume.CellStat) int { return cmp.Compare(a.Cell, b.Cell) })
		return out
	}
	bursa := orb.Bound{Min: orb.Point{29.0, 40.15}, Max: orb.Point{29.07, 40.25}}
	turkey := orb.Bound{Min: orb.Point{25, 35}, Max: orb.Point{45, 43}}
	cases := []struct {
		name string
		f    kume.CellFilter
		want []kume.CellStat
	}{
		{"Res9All", kume.CellFilter{Res: 9}, pick(9, "")},
		{"Res9Sector", kume.CellFilter{Res: 9, Sector: "13"}, pick(9, "13")},
		{"Res7All", kume.CellFilter{Res: 7}, pick(7, "")},
		{"Res7ValueChain", kume.CellFilter{Res: 7, Sector: "vc:textiles"}, pick(7, "vc:textiles")},
		{"ExplicitVersion", kume.CellFilter{Version: version, Res: 9}, pick(9, "")},
		{"BBoxByCentre", kume.CellFilter{Res: 9, BBox: &bursa}, pick(9, "", CellBursa9)},
		{"BBoxAll", kume.CellFilter{Res: 9, BBox: &turkey}, pick(9, "")},
		{"Cells", kume.CellFilter{Res: 9, Cells: []uint64{CellBursaE9, CellDenizli9, CellBursa7, 12345}},
			pick(9, "", CellBursaE9, CellDenizli9)},
		{"CellsAndBBox", kume.CellFilter{Res: 9, Cells: []uint64{CellBursa9, CellDenizli9}, BBox: &bursa},
			pick(9, "", CellBursa9)},
		{"NoSuchSector", kume.CellFilter{Res: 9, Sector: "14"}, nil},
		{"NoSuchRes", kume.CellFilter{Res: 8}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assertCells(t, c.name, s, c.f, c.want) })
	}
}

func assertCells(t testing.TB, what string, s kume.AnalysisStore, f kume.CellFilter, want []kume.CellStat) {
	t.Helper()
	got, err := s.CellStats(t.Context(), f)
	must(t, err, "CellStats")
	assertCellStream(t, what, s, f, got)
	if len(got) != len(want) {
		t.Errorf("%s: %d cells, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !reflect.DeepEqual(normalizeCellStat(got[i]), normalizeCellStat(want[i])) {
			t.Errorf("%s: cell %d:\n got %s\nwant %s", what, i, formatCell(got[i]), formatCell(want[i]))
		}
	}
}

func formatCell(c kume.CellStat) string {
	return fmt.Sprintf("{Res:%d Cell:%#x Sector:%q Firms:%d Closed:%d Employees:%v Est:%v Imprecise:%d LQ:%s GiZ:%s GiP:%s GiBin:%d Suppressed:%v Institutions:%v}",
		c.Res, c.Cell, c.Sector, c.Firms, c.Closed, c.Employees, c.EmployeesEstimated, c.Imprecise,
		formatFloat(c.LQ), formatFloat(c.GiZ), formatFloat(c.GiP), c.GiBin, c.Suppressed, c.Institutions)
}

func testClusters(t *testing.T, s kume.Store, r *kume.AnalysisResult, version int64) {
	byID := map[string]kume.Cluster{}
	for _, c := range r.Clusters {
		byID[c.ID] = c
	}
	bursa := orb.Bound{Min: orb.Point{28.9, 40.1}, Max: orb.Point{29.2, 40.3}}
	cases := []struct {
		name string
		f    kume.ClusterFilter
		want []string
	}{
		{"All", kume.ClusterFilter{}, []string{"13-9-abc", "13-9-def", "all-7", "vc:textiles-7-x"}},
		{"ExplicitVersion", kume.ClusterFilter{Version: version}, []string{"13-9-abc", "13-9-def", "all-7", "vc:textiles-7-x"}},
		{"Sector", kume.ClusterFilter{Sectors: []string{"13"}}, []string{"13-9-abc", "13-9-def"}},
		{"SectorAll", kume.ClusterFilter{Sectors: []string{kume.SectorAll}}, []string{"all-7"}},
		{"Sectors", kume.ClusterFilter{Sectors: []string{"vc:textiles", "13"}}, []string{"13-9-abc", "13-9-def", "vc:textiles-7-x"}},
		{"Res", kume.ClusterFilter{Res: 7}, []string{"all-7", "vc:textiles-7-x"}},
		{"BBox", kume.ClusterFilter{BBox: &bursa}, []string{"13-9-abc", "vc:textiles-7-x"}},
		{"SectorAndBBox", kume.ClusterFilter{Sectors: []string{"13"}, BBox: &bursa}, []string{"13-9-abc"}},
		{"Nothing", kume.ClusterFilter{Sectors: []string{"99"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Clusters(t.Context(), c.f)
			must(t, err, "Clusters")
			var ids []string
			for _, cl := range got {
				ids = append(ids, cl.ID)
				if !sameCluster(cl, byID[cl.ID]) {
					t.Errorf("cluster %s:\n got %+v\nwant %+v", cl.ID, cl, byID[cl.ID])
				}
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("Clusters = %v, want %v", ids, c.want)
			}
		})
	}
	for id, want := range byID {
		got, err := s.Cluster(t.Context(), 0, id)
		must(t, err, "Cluster "+id)
		if !sameCluster(*got, want) {
			t.Errorf("Cluster(%s):\n got %+v\nwant %+v", id, *got, want)
		}
	}
	_, err := s.Cluster(t.Context(), 0, "nope")
	wantCode(t, err, kume.ENOTFOUND, "Cluster(missing)")
}

func testRegionStats(t *testing.T, s kume.Store, r *kume.AnalysisResult, version int64) {
	cases := []struct {
		name string
		f    kume.RegionStatFilter
		want []int // indexes into r.Regions in the expected order
	}{
		{"LevelSector", kume.RegionStatFilter{Level: "province", Sector: "13"}, []int{0, 1}},
		{"AnyLevel", kume.RegionStatFilter{Sector: "13"}, []int{0, 3, 1}}, // by code: 16, 1609, 20
		{"ExplicitVersion", kume.RegionStatFilter{Version: version, Level: "province", Sector: "13"}, []int{0, 1}},
		{"Codes", kume.RegionStatFilter{Level: "province", Sector: "13", Codes: []string{"20", "99"}}, []int{1}},
		{"SectorAll", kume.RegionStatFilter{Level: "province"}, []int{2}},
		{"NoSector", kume.RegionStatFilter{Level: "province", Sector: "14"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.RegionStats(t.Context(), c.f)
			must(t, err, "RegionStats")
			var want []kume.RegionStat
			for _, i := range c.want {
				want = append(want, r.Regions[i])
			}
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("RegionStats:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}
