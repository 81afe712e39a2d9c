package memory

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// perCell is the average number of points a grid cell aims to hold.
const perCell = 16

// maxGridSide caps the number of grid cells along one axis.
const maxGridSide = 4096

// grid is a uniform grid over the bounds of a table's points: a bounding-box
// query visits only the cells the box overlaps. Cells list row positions in
// ascending order (compressed sparse rows). Points with non-finite coordinates
// are left out: no finite box contains them.
type grid struct {
	minX, minY   float64
	maxX, maxY   float64 // bounds of the indexed points
	cellW, cellH float64
	nx, ny       int
	start        []int32 // len nx*ny+1; cell c holds idx[start[c]:start[c+1]]
	idx          []int32
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// buildGrid indexes the points pt(0) .. pt(n-1).
func buildGrid(n int, pt func(i int) (x, y float64)) *grid {
	g := &grid{}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	count := 0
	for i := range n {
		x, y := pt(i)
		if !finite(x) || !finite(y) {
			continue
		}
		count++
		minX, maxX = min(minX, x), max(maxX, x)
		minY, maxY = min(minY, y), max(maxY, y)
	}
	if count == 0 {
		g.nx, g.ny, g.start = 1, 1, make([]int32, 2)
		return g
	}
	w, h := maxX-minX, maxY-minY
	cells := max(1, float64(count)/perCell)
	switch {
	case w == 0 && h == 0:
		g.nx, g.ny = 1, 1
	case w == 0:
		g.nx, g.ny = 1, int(cells)
	case h == 0:
		g.nx, g.ny = int(cells), 1
	default:
		g.nx = int(math.Round(math.Sqrt(cells * w / h)))
		g.ny = int(math.Round(cells / max(1, float64(g.nx))))
	}
	g.nx = min(max(g.nx, 1), maxGridSide)
	g.ny = min(max(g.ny, 1), maxGridSide)
	g.minX, g.minY, g.maxX, g.maxY = minX, minY, maxX, maxY
	g.cellW, g.cellH = max(w/float64(g.nx), math.SmallestNonzeroFloat64), max(h/float64(g.ny), math.SmallestNonzeroFloat64)

	cellOf := make([]int32, n)
	g.start = make([]int32, g.nx*g.ny+1)
	for i := range n {
		x, y := pt(i)
		if !finite(x) || !finite(y) {
			cellOf[i] = -1
			continue
		}
		c := g.col(x) + g.row(y)*g.nx
		cellOf[i] = int32(c)
		g.start[c+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.idx = make([]int32, count)
	fill := slices.Clone(g.start[:len(g.start)-1])
	for i, c := range cellOf {
		if c >= 0 {
			g.idx[fill[c]] = int32(i)
			fill[c]++
		}
	}
	return g
}

func (g *grid) col(x float64) int { return slot((x-g.minX)/g.cellW, g.nx) }

func (g *grid) row(y float64) int { return slot((y-g.minY)/g.cellH, g.ny) }

// slot clamps a fractional cell position to 0..n-1, in floating point first so
// that huge values cannot overflow the conversion.
func slot(f float64, n int) int {
	switch {
	case !(f > 0):
		return 0
	case f >= float64(n-1):
		return n - 1
	}
	return int(f)
}

// span returns the range of cells b overlaps, and false when it overlaps none.
func (g *grid) span(b orb.Bound) (c0, c1, r0, r1 int, ok bool) {
	if len(g.idx) == 0 || !(b.Min[0] <= b.Max[0] && b.Min[1] <= b.Max[1]) {
		return 0, 0, 0, 0, false
	}
	if b.Max[0] < g.minX || b.Min[0] > g.maxX || b.Max[1] < g.minY || b.Min[1] > g.maxY {
		return 0, 0, 0, 0, false
	}
	return g.col(b.Min[0]), g.col(b.Max[0]), g.row(b.Min[1]), g.row(b.Max[1]), true
}

// candidates counts the points query(b) would return.
func (g *grid) candidates(b orb.Bound) int {
	c0, c1, r0, r1, ok := g.span(b)
	if !ok {
		return 0
	}
	n := 0
	for r := r0; r <= r1; r++ {
		n += int(g.start[r*g.nx+c1+1] - g.start[r*g.nx+c0])
	}
	return n
}

// query returns, in ascending order, the positions of the points that may lie
// in b: every point in b is returned; callers check the rest exactly.
func (g *grid) query(b orb.Bound) []int32 {
	c0, c1, r0, r1, ok := g.span(b)
	if !ok {
		return nil
	}
	out := make([]int32, 0, g.candidates(b))
	for r := r0; r <= r1; r++ {
		out = append(out, g.idx[g.start[r*g.nx+c0]:g.start[r*g.nx+c1+1]]...)
	}
	if r1 > r0 || c1 > c0 {
		slices.Sort(out)
	}
	return out
}
