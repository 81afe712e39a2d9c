package storetest

import (
	"testing"

	"github.com/kume-geo/kume"
)

// testClusterWithoutGeometry saves a cluster without a footprint geometry,
// which kume.Cluster allows (the tile service then draws it from its cells):
// both stores keep it, and it comes back with its cells and no geometry.
func testClusterWithoutGeometry(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	c := kume.Cluster{ID: "13-7-bare", Sector: "13", Res: 7, Name: "Bare", Cells: []uint64{CellBursa7}, Firms: 4}
	_, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}, Clusters: []kume.Cluster{c}})
	must(t, err, "SaveAnalysis of a cluster without geometry")
	got, err := s.Cluster(ctx, 0, c.ID)
	must(t, err, "Cluster")
	if len(got.Geometry) != 0 || !sameCluster(*got, c) {
		t.Errorf("Cluster = %+v, want %+v", *got, c)
	}
}
