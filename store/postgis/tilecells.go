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
// the lean read behind hexagon tiles. Every field but Institutions is set; fn
// must not keep c or its pointers, which are reused for the next cell.
//
// It reads, in one query, the cell blocks (cell_blocks) of the coarse cells
// around the box and decodes them in place.
func (s *Store) TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	if f.BBox == nil {
		return kume.Errorf(kume.EINVALID, "tile cells need a bounding box")
	}
	blocks, all := tileBlocks(*f.BBox, f.Res)
	d := &blockCells{box: f.BBox}
	return s.eachBlockCell(ctx, f, blocks, all, d, fn)
}

// eachBlockCell reads the parts of the cell blocks of f's version, resolution
// and sector, of the blocks listed (ascending) or of all of them, in one
// query, and calls fn with the cells d keeps, in cell order; fn must not keep
// c or its pointers.
func (s *Store) eachBlockCell(ctx context.Context, f kume.CellFilter, blocks []int64, all bool, d *blockCells, fn func(c *kume.CellStat) error) error {
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
		return wrap(ctx, err, "cell statistics")
	}
	defer rows.Close()
	d.c.Res, d.c.Sector = f.Res, f.Sector
	fds := rows.FieldDescriptions()
	inPlace := len(fds) == 1 && fds[0].Format == pgx.BinaryFormatCode && fds[0].DataTypeOID == pgtype.ByteaOID
	var data []byte
	for rows.Next() {
		if inPlace {
			// The bytes of the part as they arrived: no copy.
			data = rows.RawValues()[0]
		} else if err := rows.Scan(&data); err != nil {
			return wrap(ctx, err, "cell statistics")
		}
		if err := d.each(data, fn); err != nil {
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap(ctx, err, "cell statistics")
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
