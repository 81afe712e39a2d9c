package postgis

import (
	"context"
	_ "embed"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// TileCells calls fn, in cell order, with the statistics of the valid cells of
// f's version, resolution and sector whose centre lies in f.BBox (required):
// the lean read behind hexagon tiles. Every field but Institutions is set; fn
// must not keep c or its pointers, which are reused for the next cell.
//
// It reads, in one query, the cell blocks that hold the ranges of cell
// indexes around the box and decodes them in place.
func (s *Store) TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	if f.BBox == nil {
		return kume.Errorf(kume.EINVALID, "tile cells need a bounding box")
	}
	lo, hi, all := boxRanges(*f.BBox, f.Res)
	d := &blockCells{box: f.BBox}
	return s.eachBlockCell(ctx, f, lo, hi, all, d, fn)
}

//go:embed queries/tile_blocks.sql
var tileBlocksSQL string

//go:embed queries/tile_blocks_all.sql
var tileBlocksAllSQL string

// eachBlockCell reads the cell blocks of f's version, resolution and sector
// that hold cells of the inclusive index ranges [lo[i], hi[i]] (ascending,
// disjoint), or all of them, in one query, and calls fn with the cells d
// keeps, in cell order; fn must not keep c or its pointers.
func (s *Store) eachBlockCell(ctx context.Context, f kume.CellFilter, lo, hi []int64, all bool, d *blockCells, fn func(c *kume.CellStat) error) error {
	var rows pgx.Rows
	var err error
	switch {
	case all:
		rows, err = s.pool.Query(ctx, tileBlocksAllSQL, f.Version, f.Res, f.Sector)
	case len(lo) == 0:
		return nil
	default:
		rows, err = s.pool.Query(ctx, tileBlocksSQL, f.Version, f.Res, f.Sector, lo, hi)
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
			// The bytes of the block as they arrived: no copy.
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

// coverLevels is how much coarser than the cells of a read are the parents
// whose descendants' index ranges cover its box: with 3, a parent holds at
// most 343 cells, and a tile of a few thousand cells reads a few dozen
// ranges.
const coverLevels = 3

// coverRes is the resolution of the parents that cover a box at resolution
// res: coverLevels coarser, 0 at least.
func coverRes(res int) int { return max(0, res-coverLevels) }

// boxParents returns, in ascending order, cells of coverRes(res) whose
// descendants at res include every cell of res whose centre lies in b: the
// cells of coverRes(res) whose centre lies in b grown by two of their edges
// (layer.GrowBox: a descendant's centre lies within about one edge of its
// ancestor's). all
// is true instead for a box too wide for a polygon fill, or a resolution
// below 1: then any cell may lie in the box.
func boxParents(b orb.Bound, res int) (parents []uint64, all bool) {
	p := coverRes(res)
	g := layer.GrowBox(b, p, 89.9)
	if res < 1 || res > 15 || g.Max[0]-g.Min[0] > 90 || g.Max[1]-g.Min[1] > 90 || g.Min[0] < -180 || g.Max[0] > 180 {
		return nil, true
	}
	loop := h3.GeoLoop{
		{Lat: g.Min[1], Lng: g.Min[0]}, {Lat: g.Min[1], Lng: g.Max[0]},
		{Lat: g.Max[1], Lng: g.Max[0]}, {Lat: g.Max[1], Lng: g.Min[0]},
	}
	cells := h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, p)
	parents = make([]uint64, len(cells))
	for i, c := range cells {
		parents[i] = uint64(c)
	}
	slices.Sort(parents)
	return parents, false
}

// boxRanges returns inclusive ranges of H3 indexes at resolution res,
// ascending and disjoint, that hold every cell of res whose centre lies in b:
// the descendants of boxParents, whose indexes form one range per parent
// (they share its leading digits); adjacent ranges are merged. all is true
// when any cell may lie in the box.
func boxRanges(b orb.Bound, res int) (lo, hi []int64, all bool) {
	parents, all := boxParents(b, res)
	if all {
		return nil, nil, true
	}
	for _, c := range parents {
		l, h := descendantRange(c, coverRes(res), res)
		if n := len(hi); n > 0 && l <= hi[n-1]+1 {
			hi[n-1] = max(hi[n-1], h)
			continue
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	return lo, hi, false
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
