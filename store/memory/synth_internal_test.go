package memory

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/uber/h3-go/v4"
)

// synthCells generates cell statistics the way geo.Analyze orders them, by
// (resolution, sector, cell), batch by batch into the caller's buffers: at
// resolutions 7 to 9, every child of one H3 cell at resolution parentRes
// (around Bursa) has an all-sector row, and each of the other sectors has a
// row in a fraction share of those cells, chosen by a hash of (cell,
// sector). The same arguments always give the same rows.
type synthCells struct {
	cells   [][]uint64 // of each resolution, ordered
	res     []int
	sectors []string // ordered; SectorAll first
	keys    []uint64 // a hash of each sector's name
	share   uint64   // of maxUint64: the fraction of cells a sector has

	r, s, c int // position of the next row
}

func newSynthCells(parentRes, sectors int, share float64) *synthCells {
	g := &synthCells{share: uint64(share * (1 << 63) * 2)}
	parent := h3.Cell(storetest.CellBursa9).Parent(parentRes)
	for res := 7; res <= 9; res++ {
		var cells []uint64
		for _, c := range parent.Children(res) {
			cells = append(cells, uint64(c))
		}
		slices.Sort(cells)
		g.cells, g.res = append(g.cells, cells), append(g.res, res)
	}
	g.sectors = []string{kume.SectorAll, "13", "vc:textiles"}
	for i := 0; len(g.sectors) < sectors; i++ {
		g.sectors = append(g.sectors, fmt.Sprintf("%02d", 20+i))
	}
	slices.Sort(g.sectors)
	for _, s := range g.sectors {
		h := fnv.New64a()
		h.Write([]byte(s))
		g.keys = append(g.keys, h.Sum64())
	}
	return g
}

// has reports whether sector s has a row in cell c.
func (g *synthCells) has(s int, c uint64) bool {
	if s == 0 {
		return true
	}
	// splitmix64's finaliser of the cell mixed with the sector.
	z := c ^ g.keys[s]
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z^z>>31 < g.share
}

// count returns the number of rows, and restarts the generator.
func (g *synthCells) count() int {
	n := 0
	for _, cells := range g.cells {
		for s := range g.sectors {
			for _, c := range cells {
				if g.has(s, c) {
					n++
				}
			}
		}
	}
	g.r, g.s, g.c = 0, 0, 0
	return n
}

// next fills buf with the next rows, their LQ and Gi* values in floats
// (which must hold 3 per row), and returns the rows filled (none at the
// end). It overwrites what the previous call returned.
func (g *synthCells) next(buf []kume.CellStat, floats []float64) []kume.CellStat {
	n := 0
	for n < len(buf) && g.r < len(g.cells) {
		cells := g.cells[g.r]
		c := cells[g.c]
		if g.has(g.s, c) {
			row := &buf[n]
			*row = kume.CellStat{Res: g.res[g.r], Cell: c, Sector: g.sectors[g.s],
				Firms: int(c%97) + g.s, Employees: float64(c%1000) / 4, Imprecise: int(c % 3)}
			if g.s > 0 {
				f := floats[3*n : 3*n+3 : 3*n+3]
				f[0], f[1], f[2] = float64(c%31)/7, float64(c%17)-8, float64(c%101)/100
				row.LQ, row.GiZ, row.GiP, row.GiBin = &f[0], &f[1], &f[2], int(c%7)-3
			} else if c%101 == 0 {
				row.Institutions = map[kume.InstitutionType]int{"university": 1}
			}
			n++
		}
		if g.c++; g.c == len(cells) {
			g.c = 0
			if g.s++; g.s == len(g.sectors) {
				g.s, g.r = 0, g.r+1
			}
		}
	}
	return buf[:n]
}

// all returns every row (restarting the generator), each with its own
// values, as a caller of saveOwned would hold them.
func (g *synthCells) all() []kume.CellStat {
	out := make([]kume.CellStat, g.count())
	floats := make([]float64, 3*len(out))
	got := g.next(out, floats)
	g.r, g.s, g.c = 0, 0, 0
	return got
}
