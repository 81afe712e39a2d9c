package postgis

import (
	"context"
	"encoding/binary"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// TileCells calls fn, in cell order, with the statistics of the valid cells of
// f's version, resolution and sector whose centre lies in f.BBox (required):
// the lean read behind hexagon tiles. Only the fields a tile shows are set
// (Res, Cell, Firms, Employees, Imprecise, LQ, GiZ, GiP, GiBin, Suppressed);
// fn must not keep c or its pointers, which are reused for the next row.
func (s *Store) TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	if f.BBox == nil {
		return kume.Errorf(kume.EINVALID, "tile cells need a bounding box")
	}
	b := f.BBox
	lo, hi := cellRanges(*b, f.Res)
	// One round trip: the read runs in a transaction with JIT compilation off,
	// which for a read of a few thousand rows costs far more than it saves
	// (the planner's cost estimate of the range reads is well above
	// jit_above_cost).
	batch := &pgx.Batch{}
	batch.Queue("BEGIN READ ONLY")
	batch.Queue("SET LOCAL jit = off")
	batch.Queue(s.q("tile_cells"), f.Version, f.Res, f.Sector, lo, hi, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	batch.Queue("COMMIT")
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return wrap(ctx, err, "tile cells")
		}
	}
	rows, err := br.Query()
	if err != nil {
		return wrap(ctx, err, "tile cells")
	}
	defer rows.Close()
	var (
		c            kume.CellStat
		lqV, zV, pV  float64
		cell         int64
		firms, impr  int32
		giBin        int16
		lq, giZ, giP pgtype.Float8
		dest         = []any{&cell, &firms, &c.Employees, &impr, &lq, &giZ, &giP, &giBin, &c.Suppressed}
		optional     = func(v pgtype.Float8, into *float64) *float64 {
			if !v.Valid {
				return nil
			}
			*into = v.Float64
			return into
		}
	)
	c.Res, c.Sector = f.Res, f.Sector
	inPlace := tileRowsBinary(rows.FieldDescriptions())
	for rows.Next() {
		if inPlace {
			// The row's values, decoded in place: cheaper than Scan for
			// the thousands of rows of a tile.
			if !decodeTileRow(rows.RawValues(), &c, &lqV, &zV, &pV) {
				return kume.Errorf(kume.EINTERNAL, "tile cells: malformed row")
			}
		} else {
			if err := rows.Scan(dest...); err != nil {
				return wrap(ctx, err, "tile cells")
			}
			c.Cell, c.Firms, c.Imprecise, c.GiBin = uint64(cell), int(firms), int(impr), int(giBin)
			c.LQ, c.GiZ, c.GiP = optional(lq, &lqV), optional(giZ, &zV), optional(giP, &pV)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap(ctx, err, "tile cells")
	}
	if _, err := br.Exec(); err != nil {
		return wrap(ctx, err, "tile cells")
	}
	return nil
}

// tileRowTypes are the types of tile_cells' columns: cell, firms, employees,
// imprecise, lq, gi_z, gi_p, gi_bin, suppressed.
func tileRowTypes() [9]uint32 {
	return [9]uint32{pgtype.Int8OID, pgtype.Int4OID, pgtype.Float8OID, pgtype.Int4OID,
		pgtype.Float8OID, pgtype.Float8OID, pgtype.Float8OID, pgtype.Int2OID, pgtype.BoolOID}
}

// tileRowsBinary reports whether the rows of tile_cells arrive in the binary
// format with the expected types, so that decodeTileRow can read them.
func tileRowsBinary(fds []pgconn.FieldDescription) bool {
	types := tileRowTypes()
	if len(fds) != len(types) {
		return false
	}
	for i, fd := range fds {
		if fd.Format != pgx.BinaryFormatCode || fd.DataTypeOID != types[i] {
			return false
		}
	}
	return true
}

// decodeTileRow sets c from a binary row of tile_cells; lq, z and p hold the
// optional values c points to. It reports false for a malformed row.
func decodeTileRow(v [][]byte, c *kume.CellStat, lq, z, p *float64) bool {
	if len(v) != 9 || len(v[0]) != 8 || len(v[1]) != 4 || len(v[2]) != 8 || len(v[3]) != 4 ||
		len(v[7]) != 2 || len(v[8]) != 1 {
		return false
	}
	be := binary.BigEndian
	c.Cell = be.Uint64(v[0])
	c.Firms = int(int32(be.Uint32(v[1])))
	c.Employees = math.Float64frombits(be.Uint64(v[2]))
	c.Imprecise = int(int32(be.Uint32(v[3])))
	c.GiBin = int(int16(be.Uint16(v[7])))
	c.Suppressed = v[8][0] != 0
	opt := func(b []byte, into *float64) (*float64, bool) {
		switch len(b) {
		case 8:
			*into = math.Float64frombits(be.Uint64(b))
			return into, true
		case 0:
			// pgx gives a NULL as a nil slice.
			return nil, b == nil
		}
		return nil, false
	}
	var ok1, ok2, ok3 bool
	c.LQ, ok1 = opt(v[4], lq)
	c.GiZ, ok2 = opt(v[5], z)
	c.GiP, ok3 = opt(v[6], p)
	return ok1 && ok2 && ok3
}

// rangeLevels is how much coarser than the tile's resolution the cells are
// whose descendants cellRanges lists: with 3, a tile of a few thousand cells
// reads a few dozen ranges.
const rangeLevels = 3

// cellRanges returns inclusive ranges of H3 indexes at resolution res that
// hold every cell of res whose centre lies in b: the descendants of the cells
// of a coarser resolution whose centre lies in b grown by two of their edges
// (a descendant's centre lies within about one edge of its ancestor's). A
// cell's descendants at one resolution form one range of indexes, since they
// share the ancestor's leading digits. A box too wide for a polygon fill gets
// one range of every index.
func cellRanges(b orb.Bound, res int) (lo, hi []int64) {
	p := max(0, res-rangeLevels)
	edgeDeg := 2 * []float64{1107.7, 418.7, 158.2, 59.8, 22.6, 8.54, 3.23, 1.22, 0.461,
		0.174, 0.0659, 0.0249, 0.0094, 0.00355, 0.00134, 0.000509}[p] / 111.0
	lat := math.Min(85, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+edgeDeg)
	dLon := edgeDeg / math.Cos(lat*math.Pi/180)
	g := orb.Bound{
		Min: orb.Point{b.Min[0] - dLon, math.Max(-89.9, b.Min[1]-edgeDeg)},
		Max: orb.Point{b.Max[0] + dLon, math.Min(89.9, b.Max[1]+edgeDeg)},
	}
	if res < 1 || res > 15 || g.Max[0]-g.Min[0] > 90 || g.Max[1]-g.Min[1] > 90 || g.Min[0] < -180 || g.Max[0] > 180 {
		return []int64{0}, []int64{math.MaxInt64}
	}
	loop := h3.GeoLoop{
		{Lat: g.Min[1], Lng: g.Min[0]}, {Lat: g.Min[1], Lng: g.Max[0]},
		{Lat: g.Max[1], Lng: g.Max[0]}, {Lat: g.Max[1], Lng: g.Min[0]},
	}
	parents := h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, p)
	slices.Sort(parents)
	for _, c := range parents {
		l, h := descendantRange(uint64(c), p, res)
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
