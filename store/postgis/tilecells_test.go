package postgis_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// TestTileCellsMatchesCellStats checks the lean tile read against CellStats
// with the same bounding box: same cells in the same order, same published
// fields, for boxes of many sizes around a patch of cells at several
// resolutions.
func TestTileCellsMatchesCellStats(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 9))
	var cells []kume.CellStat
	for _, res := range []int{4, 6, 8} {
		for _, sector := range []string{"", "C"} {
			centre := h3.LatLngToCell(h3.LatLng{Lat: 40.9, Lng: 29.1}, res)
			disk := h3.GridDisk(centre, 12)
			for i, c := range disk {
				if rng.IntN(3) == 0 {
					continue
				}
				lq := rng.Float64() * 3
				cs := kume.CellStat{Res: res, Cell: uint64(c), Sector: sector, Firms: 1 + rng.IntN(50),
					Employees: rng.Float64() * 100, Imprecise: rng.IntN(2), GiBin: rng.IntN(7) - 3,
					Suppressed: i%11 == 0}
				if i%5 != 0 {
					cs.LQ = &lq
				}
				cells = append(cells, cs)
			}
		}
	}
	v, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}, Cells: cells})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		res := []int{4, 6, 8}[i%3]
		sector := []string{"", "C"}[i%2]
		w := 0.02 * float64(int(1)<<(i%9))
		lon, lat := 29.1+(rng.Float64()-0.5)*w, 40.9+(rng.Float64()-0.5)*w
		b := orb.Bound{Min: orb.Point{lon - w/2, lat - w/3}, Max: orb.Point{lon + w/2, lat + w/3}}
		f := kume.CellFilter{Version: []int64{0, v}[i%2], Res: res, Sector: sector, BBox: &b}
		want, err := s.CellStats(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []kume.CellStat
		err = s.TileCells(ctx, f, func(c *kume.CellStat) error {
			g := *c
			g.LQ, g.GiZ, g.GiP = clone(c.LQ), clone(c.GiZ), clone(c.GiP)
			got = append(got, g)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("box %v res %d sector %q: %d cells, CellStats has %d", b, res, sector, len(got), len(want))
		}
		for j := range want {
			g, w := got[j], want[j]
			if g.Cell != w.Cell || g.Res != w.Res || g.Firms != w.Firms || g.Employees != w.Employees ||
				g.Imprecise != w.Imprecise || g.GiBin != w.GiBin || g.Suppressed != w.Suppressed ||
				!sameFloat(g.LQ, w.LQ) || !sameFloat(g.GiZ, w.GiZ) || !sameFloat(g.GiP, w.GiP) {
				t.Fatalf("box %v cell %d: got %+v, CellStats has %+v", b, j, g, w)
			}
		}
	}
}

func clone(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
