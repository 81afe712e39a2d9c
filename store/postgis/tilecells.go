package postgis

import (
	"context"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// TileCells calls fn, in cell order, with the statistics of the valid cells of
// f's version, resolution and sector whose centre lies in f.BBox (required):
// the lean read behind hexagon tiles. Only the fields a tile shows are set
// (Res, Cell, Firms, Employees, Imprecise, LQ, GiZ, GiP, GiBin, Suppressed);
// fn must not keep c or its pointers, which are reused for the next cell.
//
// It reads, in one query, the cell blocks (cell_blocks) of the coarse cells
// around the box and decodes them in place.
func (s *Store) TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	if f.BBox == nil {
		return kume.Errorf(kume.EINVALID, "tile cells need a bounding box")
	}
	blocks, all := tileBlocks(*f.BBox, f.Res)
	var rows pgx.Rows
	var err error
	switch {
	case all:
		rows, err = s.pool.Query(ctx, s.q("tile_blocks_all"), f.Version, f.Res, f.Sector)
	case len(blocks) == 0:
		return nil
	default:
		rows, err = s.pool.Query(ctx, s.q("tile_blocks"), f.Version, f.Res, f.Sector, blocks)
	}
	if err != nil {
		return wrap(ctx, err, "tile cells")
	}
	defer rows.Close()
	d := blockCells{box: *f.BBox}
	d.c.Res, d.c.Sector = f.Res, f.Sector
	fds := rows.FieldDescriptions()
	inPlace := len(fds) == 1 && fds[0].Format == pgx.BinaryFormatCode && fds[0].DataTypeOID == pgtype.ByteaOID
	var data []byte
	for rows.Next() {
		if inPlace {
			// The bytes of the block as they arrived: no copy.
			data = rows.RawValues()[0]
		} else if err := rows.Scan(&data); err != nil {
			return wrap(ctx, err, "tile cells")
		}
		if err := d.each(data, fn); err != nil {
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap(ctx, err, "tile cells")
	}
	return nil
}

// blockLevels is how much coarser than its cells the parent keying a cell
// block is: with 3, a block holds at most 343 cells, and a tile of a few
// thousand cells reads a few dozen blocks.
const blockLevels = 3

// tileBlocks returns, in ascending order, the blocks (see blockOf) that hold
// every cell of resolution res whose centre lies in b: the cells of
// blockRes(res) whose centre lies in b grown by two of their edges (a
// descendant's centre lies within about one edge of its ancestor's). all is
// true instead for a box too wide for a polygon fill, or a resolution below 1:
// then every block may hold such cells.
func tileBlocks(b orb.Bound, res int) (blocks []int64, all bool) {
	p := blockRes(res)
	edgeDeg := 2 * []float64{1107.7, 418.7, 158.2, 59.8, 22.6, 8.54, 3.23, 1.22, 0.461,
		0.174, 0.0659, 0.0249, 0.0094, 0.00355, 0.00134, 0.000509}[p] / 111.0
	lat := math.Min(85, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+edgeDeg)
	dLon := edgeDeg / math.Cos(lat*math.Pi/180)
	g := orb.Bound{
		Min: orb.Point{b.Min[0] - dLon, math.Max(-89.9, b.Min[1]-edgeDeg)},
		Max: orb.Point{b.Max[0] + dLon, math.Min(89.9, b.Max[1]+edgeDeg)},
	}
	if res < 1 || res > 15 || g.Max[0]-g.Min[0] > 90 || g.Max[1]-g.Min[1] > 90 || g.Min[0] < -180 || g.Max[0] > 180 {
		return nil, true
	}
	loop := h3.GeoLoop{
		{Lat: g.Min[1], Lng: g.Min[0]}, {Lat: g.Min[1], Lng: g.Max[0]},
		{Lat: g.Max[1], Lng: g.Max[0]}, {Lat: g.Max[1], Lng: g.Min[0]},
	}
	parents := h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, p)
	blocks = make([]int64, len(parents))
	for i, c := range parents {
		blocks[i] = int64(c)
	}
	slices.Sort(blocks)
	return blocks, false
}

// cellRanges returns inclusive ranges of H3 indexes at resolution res that
// hold every cell of res whose centre lies in b: the cells of the blocks of
// tileBlocks. A block's cells form one range of indexes, since they share the
// block's leading digits; adjacent ranges are merged. Where tileBlocks lists
// no blocks but all, one range holds every index.
func cellRanges(b orb.Bound, res int) (lo, hi []int64) {
	blocks, all := tileBlocks(b, res)
	if all {
		return []int64{0}, []int64{math.MaxInt64}
	}
	for _, c := range blocks {
		l, h := descendantRange(uint64(c), blockRes(res), res)
		if n := len(hi); n > 0 && l <= hi[n-1]+1 {
			hi[n-1] = max(hi[n-1], h)
			continue
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	if len(lo) == 0 {
		return []int64{0}, []int64{-1} // no cell: an empty range
	}
	return lo, hi
}

// descendantRange returns the smallest and largest index a descendant at
// resolution res of cell c (at resolution p) can have: c's index with the
// resolution field set to res and digits p+1..res all 0, or all 6.
func descendantRange(c uint64, p, res int) (lo, hi int64) {
	const resShift, digitBits = 52, 3
	base := c&^(0xf<<resShift) | uint64(res)<<resShift
	var zero, six uint64
	for d := p + 1; d <= res; d++ {
		shift := uint((15 - d) * digitBits)
		zero |= 7 << shift
		six |= 6 << shift
	}
	return int64(base &^ zero), int64(base&^zero | six)
}
