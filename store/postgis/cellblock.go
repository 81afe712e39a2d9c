package postgis

import (
	"encoding/binary"
	"math"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// A cell block (table cell_blocks, migration 00004) packs the published
// statistics of the cells of one version, resolution and sector key that share
// their parent at resolution blockRes(res): a format byte, then one record of
// blockRecordSize bytes per cell, sorted by cell. Records are big-endian, as
// PostgreSQL's send functions write them, so SQL can build the same bytes.
const (
	blockFormat     = 1
	blockRecordSize = 67
	// Field offsets in a record.
	recCell, recLon, recLat, recFirms, recEmployees, recImprecise = 0, 8, 16, 24, 28, 36
	recLQ, recGiZ, recGiP, recGiBin, recFlags                     = 40, 48, 56, 64, 66
	// Bits of the flags byte.
	flagLQ, flagGiZ, flagGiP, flagSuppressed = 1, 2, 4, 8
)

// blockRes is the resolution of the parents that key the blocks of cells of
// resolution res: blockLevels coarser, 0 at least.
func blockRes(res int) int { return max(0, res-blockLevels) }

// blockOf returns the block of a valid cell of resolution res: its H3 parent
// at blockRes(res) (the cell with the resolution field set to p and digits
// p+1..15 set to 7, unused).
func blockOf(cell uint64, res int) int64 {
	p := blockRes(res)
	return int64(cell&^(0xf<<52) | uint64(p)<<52 | (1<<(3*(15-p)) - 1))
}

// appendBlockRecord appends the record of c, whose centre is (lon, lat), to b.
func appendBlockRecord(b []byte, c *kume.CellStat, lon, lat float64) []byte {
	be := binary.BigEndian
	var flags byte
	opt := func(p *float64, bit byte) uint64 {
		if p == nil {
			return 0
		}
		flags |= bit
		return math.Float64bits(*p)
	}
	b = be.AppendUint64(b, c.Cell)
	b = be.AppendUint64(b, math.Float64bits(lon))
	b = be.AppendUint64(b, math.Float64bits(lat))
	b = be.AppendUint32(b, uint32(int32(c.Firms)))
	b = be.AppendUint64(b, math.Float64bits(c.Employees))
	b = be.AppendUint32(b, uint32(int32(c.Imprecise)))
	b = be.AppendUint64(b, opt(c.LQ, flagLQ))
	b = be.AppendUint64(b, opt(c.GiZ, flagGiZ))
	b = be.AppendUint64(b, opt(c.GiP, flagGiP))
	b = be.AppendUint16(b, uint16(int16(c.GiBin)))
	if c.Suppressed {
		flags |= flagSuppressed
	}
	return append(b, flags)
}

// blockCells is the decoding state of the blocks of one read: the cell handed
// to the caller and the values its pointers point to, reused for every cell.
type blockCells struct {
	c          kume.CellStat
	lq, z, p   float64
	box        orb.Bound
	lastCell   uint64
	seenRecord bool
}

// malformedBlock is the error for bytes that are not a well-formed block.
func malformedBlock() error { return kume.Errorf(kume.EINTERNAL, "tile cells: malformed cell block") }

// each calls fn, in order, with the cells of block data whose centre lies in
// the box. Cells must ascend within and across the blocks of one read; data
// that is not a well-formed block is an error, checked before any cell of it
// is handed on.
func (d *blockCells) each(data []byte, fn func(c *kume.CellStat) error) error {
	if len(data) == 0 || data[0] != blockFormat || (len(data)-1)%blockRecordSize != 0 {
		return malformedBlock()
	}
	be := binary.BigEndian
	recs := data[1:]
	// Order first, so that a malformed block hands on nothing.
	last, seen := d.lastCell, d.seenRecord
	for i := 0; i < len(recs); i += blockRecordSize {
		cell := be.Uint64(recs[i+recCell:])
		if seen && cell <= last {
			return malformedBlock()
		}
		last, seen = cell, true
	}
	d.lastCell, d.seenRecord = last, seen
	c := &d.c
	for i := 0; i < len(recs); i += blockRecordSize {
		r := recs[i : i+blockRecordSize : i+blockRecordSize]
		lon := math.Float64frombits(be.Uint64(r[recLon:]))
		lat := math.Float64frombits(be.Uint64(r[recLat:]))
		if !(lon >= d.box.Min[0] && lon <= d.box.Max[0] && lat >= d.box.Min[1] && lat <= d.box.Max[1]) {
			continue
		}
		flags := r[recFlags]
		c.Cell = be.Uint64(r[recCell:])
		c.Firms = int(int32(be.Uint32(r[recFirms:])))
		c.Employees = math.Float64frombits(be.Uint64(r[recEmployees:]))
		c.Imprecise = int(int32(be.Uint32(r[recImprecise:])))
		c.LQ = optionalField(r[recLQ:], flags&flagLQ != 0, &d.lq)
		c.GiZ = optionalField(r[recGiZ:], flags&flagGiZ != 0, &d.z)
		c.GiP = optionalField(r[recGiP:], flags&flagGiP != 0, &d.p)
		c.GiBin = int(int16(be.Uint16(r[recGiBin:])))
		c.Suppressed = flags&flagSuppressed != 0
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// optionalField returns into holding the float64 at the start of b when
// present, nil otherwise.
func optionalField(b []byte, present bool, into *float64) *float64 {
	if !present {
		return nil
	}
	*into = math.Float64frombits(binary.BigEndian.Uint64(b))
	return into
}
