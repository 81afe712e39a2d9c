package geo

import (
	"math"
	"testing"

	"github.com/uber/h3-go/v4"
)

func TestCellParentMatchesH3(t *testing.T) {
	for _, pt := range [][2]float64{{28.97, 41.01}, {13.4, 52.52}, {-70.6, -33.4}, {179.9, 0.1}} {
		c, err := CellOf(pt[0], pt[1], 12)
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r <= 12; r++ {
			want := uint64(h3.Cell(int64(c)).Parent(r))
			if got := CellParent(c, r); got != want {
				t.Errorf("%v res %d: %x, want %x", pt, r, got, want)
			}
			if CellResolution(CellParent(c, r)) != r {
				t.Errorf("resolution of parent %d wrong", r)
			}
		}
	}
}

func TestCellOfBadInput(t *testing.T) {
	for _, c := range []struct {
		lon, lat float64
		res      int
	}{{math.NaN(), 1, 9}, {1, math.Inf(1), 9}, {181, 0, 9}, {0, -91, 9}, {0, 0, -1}, {0, 0, 16}} {
		if _, err := CellOf(c.lon, c.lat, c.res); err == nil {
			t.Errorf("CellOf(%v,%v,%d) accepted", c.lon, c.lat, c.res)
		}
	}
}

func TestCellBoundaryWinding(t *testing.T) {
	c, _ := CellOf(28.97, 41.01, 7)
	p := CellBoundary(c)
	if len(p) != 1 || len(p[0]) != 7 || p[0][0] != p[0][6] {
		t.Fatalf("boundary = %v", p)
	}
	if signedArea(p[0]) <= 0 {
		t.Error("exterior ring not counter-clockwise")
	}
	if !polygonContains(p, CellCenter(c)) {
		t.Error("centre outside boundary")
	}
	if CellBoundary(12345) != nil {
		t.Error("invalid cell should give nil")
	}
}

func TestCellsPolygonRingWithHole(t *testing.T) {
	c, _ := CellOf(28.97, 41.01, 8)
	ring := gridDisk(c, 2)
	var donut []uint64
	for _, x := range ring {
		if x != c {
			donut = append(donut, x)
		}
	}
	mp := CellsPolygon(donut)
	if len(mp) != 1 {
		t.Fatalf("want one polygon, got %d", len(mp))
	}
	if len(mp[0]) != 2 {
		t.Fatalf("want exterior + 1 hole, got %d rings", len(mp[0]))
	}
	if signedArea(mp[0][0]) <= 0 || signedArea(mp[0][1]) >= 0 {
		t.Error("winding: exterior must be CCW, hole CW")
	}
	if polygonContains(mp[0], CellCenter(c)) {
		t.Error("centre of the hole is inside the polygon")
	}
	if !polygonContains(mp[0], CellCenter(donut[0])) {
		t.Error("a member cell's centre is outside the polygon")
	}
	// two separate cells → two polygons
	far, _ := CellOf(30, 40, 8)
	if got := CellsPolygon([]uint64{c, far}); len(got) != 2 {
		t.Errorf("two cells: %d polygons", len(got))
	}
}

func TestComponents(t *testing.T) {
	c, _ := CellOf(28.97, 41.01, 9)
	disk := gridDisk(c, 1)
	far, _ := CellOf(29.5, 41.01, 9)
	// two cells of the disk that are not adjacent to each other, plus the centre
	var a, b uint64
	for _, x := range disk {
		if x == c {
			continue
		}
		if a == 0 {
			a = x
		} else if !h3.Cell(int64(a)).IsNeighbor(h3.Cell(int64(x))) {
			b = x
			break
		}
	}
	got := Components([]uint64{a, b, far})
	if len(got) != 3 {
		t.Fatalf("without the centre: %d components, want 3", len(got))
	}
	got = Components([]uint64{a, b, c, far})
	if len(got) != 2 {
		t.Fatalf("with the centre: %d components, want 2", len(got))
	}
}

func TestClusterIDStable(t *testing.T) {
	a := ClusterID("13", 8, []uint64{3, 1, 2})
	b := ClusterID("13", 8, []uint64{1, 2, 3})
	if a != b {
		t.Error("id depends on cell order")
	}
	if a == ClusterID("14", 8, []uint64{1, 2, 3}) || a == ClusterID("13", 7, []uint64{1, 2, 3}) || a == ClusterID("13", 8, []uint64{1, 2}) {
		t.Error("id does not distinguish sector, res or cells")
	}
}

// Every descendant of a cell lies in its descendant range, and a neighbour's
// descendants do not.
func TestDescendantRange(t *testing.T) {
	c, err := CellOf(29.09, 37.78, 6)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range []int{6, 7, 9} {
		lo, hi := descendantRange(c, res)
		for _, k := range h3.Cell(int64(c)).Children(res) {
			if u := uint64(k); u < lo || u > hi {
				t.Errorf("res %d: child %x outside [%x, %x]", res, u, lo, hi)
			}
		}
		for _, nb := range gridDisk(c, 1) {
			if nb == c {
				continue
			}
			for _, k := range h3.Cell(int64(nb)).Children(res) {
				if u := uint64(k); u >= lo && u <= hi {
					t.Errorf("res %d: neighbour's child %x inside the range", res, u)
				}
			}
		}
	}
}
