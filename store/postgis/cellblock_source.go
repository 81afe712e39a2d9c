package postgis

import (
	"cmp"
	"slices"

	"github.com/kume-geo/kume"
)

func cellBlockColumns() []string { return []string{"version", "res", "sector", "block", "data"} }

// blockSource feeds the cell blocks of an analysis to COPY: one row per
// version, resolution, sector key and block, built from the cells of that
// group, which must be adjacent and ascending in the order blockSource walks
// (see newBlockSource). Invalid cells, and cells whose index is of another
// resolution than their row, have no block. One buffer serves every block, as
// COPY encodes a row before it asks for the next.
type blockSource struct {
	cells   []kume.CellStat
	order   []int32 // the order to walk cells in; nil: as they are
	centres map[uint64]centre
	version int64
	next    int // position of the next cell to look at
	row     []any
	buf     []byte
}

// newBlockSource returns the block source of cells for version; centres
// caches cell centres (shared with the cell_stats source).
func newBlockSource(cells []kume.CellStat, version int64, centres map[uint64]centre) *blockSource {
	return &blockSource{cells: cells, order: blockWalk(cells), centres: centres, version: version,
		row: make([]any, len(cellBlockColumns()))}
}

// blockWalk returns nil when cells can be walked as they are: the cells of
// each (resolution, sector) pair adjacent and strictly ascending, which makes
// the cells of each block adjacent and ascending too (a block's cells form one
// range of indexes). Otherwise it returns the positions of cells sorted by
// resolution, sector and cell.
func blockWalk(cells []kume.CellStat) []int32 {
	type group struct {
		res    int
		sector string
	}
	seen := map[group]bool{}
	ok := true
	for i := range cells {
		c := &cells[i]
		if i > 0 {
			p := &cells[i-1]
			if p.Res == c.Res && p.Sector == c.Sector {
				if c.Cell <= p.Cell {
					ok = false
					break
				}
				continue
			}
		}
		g := group{c.Res, c.Sector}
		if seen[g] {
			ok = false
			break
		}
		seen[g] = true
	}
	if ok {
		return nil
	}
	order := make([]int32, len(cells))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		x, y := &cells[a], &cells[b]
		return cmp.Or(cmp.Compare(x.Res, y.Res), cmp.Compare(x.Sector, y.Sector), cmp.Compare(x.Cell, y.Cell))
	})
	return order
}

// at returns the i-th cell of the walk.
func (s *blockSource) at(i int) *kume.CellStat {
	if s.order != nil {
		return &s.cells[s.order[i]]
	}
	return &s.cells[i]
}

// centre returns the centre of c and whether c belongs in a block.
func (s *blockSource) centre(c *kume.CellStat) (lon, lat float64, ok bool) {
	if int(c.Cell>>52&0xf) != c.Res {
		return 0, 0, false
	}
	ce, found := s.centres[c.Cell]
	if !found {
		ce.lon, ce.lat = cellCentre(c.Cell)
		s.centres[c.Cell] = ce
	}
	if ce.lon == nil {
		return 0, 0, false
	}
	return *ce.lon, *ce.lat, true
}

// Next builds the next block; false when there is none left.
func (s *blockSource) Next() bool {
	n := len(s.cells)
	var first *kume.CellStat
	var block int64
	s.buf = append(s.buf[:0], blockFormat)
	for ; s.next < n; s.next++ {
		c := s.at(s.next)
		lon, lat, ok := s.centre(c)
		if !ok {
			continue
		}
		b := blockOf(c.Cell, c.Res)
		if first == nil {
			first, block = c, b
		} else if c.Res != first.Res || c.Sector != first.Sector || b != block {
			break
		}
		s.buf = appendBlockRecord(s.buf, c, lon, lat)
	}
	if first == nil {
		return false
	}
	r := s.row
	r[0], r[1], r[2], r[3], r[4] = s.version, int16(first.Res), first.Sector, block, s.buf
	return true
}

// Values returns the row of the block Next built.
func (s *blockSource) Values() ([]any, error) { return s.row, nil }

// Err reports no error: building a block cannot fail.
func (s *blockSource) Err() error { return nil }
