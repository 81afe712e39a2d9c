package postgis

import (
	"encoding/binary"
	"encoding/json"
	"math"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// A cell block (a row of table cell_blocks, migration 00008) packs the
// statistics of a run of consecutive cells (in index order) of one version,
// resolution and sector key, and is keyed by its first cell: a format byte
// followed by one record per cell, sorted by cell. A record is a fixed part of
// blockRecordSize bytes, then, when the institutions flag is set, an int16
// length and that many bytes of JSON. Records are big-endian, as PostgreSQL's
// send functions write them, so SQL can read them (cell_block_cells in the
// migration).
const (
	blockFormat     = 2
	blockRecordSize = 79
	// Field offsets in a record.
	recCell, recLon, recLat, recFirms, recClosed, recEmployees = 0, 8, 16, 24, 28, 32
	recEstimated, recImprecise, recLQ, recGiZ, recGiP          = 40, 48, 52, 60, 68
	recGiBin, recFlags                                         = 76, 78
	// Bits of the flags byte.
	flagLQ, flagGiZ, flagGiP, flagSuppressed, flagInstitutions = 1, 2, 4, 8, 16
	// blockBytes bounds the data of a block (100 records without
	// institutions): a new block begins before a record that would take it
	// beyond, so that a row stays under the 8 kB page it is stored in line in
	// (toast_tuple_target 8160). A record larger than that alone takes a
	// block of its own.
	blockBytes = 1 + 100*blockRecordSize
	// maxInstitutionsJSON bounds the JSON of a record's institutions.
	maxInstitutionsJSON = math.MaxInt16
)

// appendBlockRecord appends the record of c, whose centre is (lon, lat), to b.
// It fails only for institutions whose JSON is longer than a record holds.
func appendBlockRecord(b []byte, c *kume.CellStat, lon, lat float64) ([]byte, error) {
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
	b = be.AppendUint32(b, uint32(int32(c.Closed)))
	b = be.AppendUint64(b, math.Float64bits(c.Employees))
	b = be.AppendUint64(b, math.Float64bits(c.EmployeesEstimated))
	b = be.AppendUint32(b, uint32(int32(c.Imprecise)))
	b = be.AppendUint64(b, opt(c.LQ, flagLQ))
	b = be.AppendUint64(b, opt(c.GiZ, flagGiZ))
	b = be.AppendUint64(b, opt(c.GiP, flagGiP))
	b = be.AppendUint16(b, uint16(int16(c.GiBin)))
	if c.Suppressed {
		flags |= flagSuppressed
	}
	if c.Institutions == nil {
		return append(b, flags), nil
	}
	js, err := json.Marshal(c.Institutions)
	if err != nil {
		return b, err
	}
	if len(js) > maxInstitutionsJSON {
		return b, kume.Errorf(kume.EINVALID, "institutions of cell %x: %d bytes of JSON, at most %d", c.Cell, len(js), maxInstitutionsJSON)
	}
	b = append(b, flags|flagInstitutions)
	b = be.AppendUint16(b, uint16(len(js)))
	return append(b, js...), nil
}

// recordLen returns the length of the record at the start of recs, or 0 when
// recs does not start with a whole record.
func recordLen(recs []byte) int {
	if len(recs) < blockRecordSize {
		return 0
	}
	if recs[recFlags]&flagInstitutions == 0 {
		return blockRecordSize
	}
	if len(recs) < blockRecordSize+2 {
		return 0
	}
	n := blockRecordSize + 2 + int(binary.BigEndian.Uint16(recs[blockRecordSize:]))
	if len(recs) < n {
		return 0
	}
	return n
}

// blockCells is the decoding state of the blocks of one read: what it keeps
// (cells whose centre lies in box, when box is set; cells in only, when only
// is set), whether it decodes institutions, and the cell handed to the caller
// with the values its pointers point to, reused for every cell.
type blockCells struct {
	box          *orb.Bound
	only         map[uint64]struct{}
	institutions bool

	c          kume.CellStat
	lq, z, p   float64
	lastCell   uint64
	seenRecord bool
	insts      []map[kume.InstitutionType]int // of the block's records that have them, in order
}

// malformedBlock is the error for bytes that are not a well-formed block.
func malformedBlock() error {
	return kume.Errorf(kume.EINTERNAL, "cell statistics: malformed cell block")
}

// each calls fn, in order, with the cells of the block data that the read
// keeps. Cells must ascend within and across the blocks of one read; data
// that is not a well-formed block is an error, checked before any cell of it
// is handed on.
func (d *blockCells) each(data []byte, fn func(c *kume.CellStat) error) error {
	if len(data) == 0 || data[0] != blockFormat {
		return malformedBlock()
	}
	be := binary.BigEndian
	recs := data[1:]
	// Order, lengths and institutions first, so that a malformed block hands
	// on nothing.
	last, seen := d.lastCell, d.seenRecord
	d.insts = d.insts[:0]
	for i := 0; i < len(recs); {
		n := recordLen(recs[i:])
		if n == 0 {
			return malformedBlock()
		}
		cell := be.Uint64(recs[i+recCell:])
		if seen && cell <= last {
			return malformedBlock()
		}
		if d.institutions && recs[i+recFlags]&flagInstitutions != 0 {
			var m map[kume.InstitutionType]int
			if err := json.Unmarshal(recs[i+blockRecordSize+2:i+n], &m); err != nil || m == nil {
				return malformedBlock()
			}
			d.insts = append(d.insts, m)
		}
		last, seen = cell, true
		i += n
	}
	d.lastCell, d.seenRecord = last, seen
	c := &d.c
	k := 0 // the next of d.insts
	for i := 0; i < len(recs); {
		n := recordLen(recs[i:])
		r := recs[i : i+n : i+n]
		i += n
		var inst map[kume.InstitutionType]int
		if d.institutions && r[recFlags]&flagInstitutions != 0 {
			inst = d.insts[k]
			k++
		}
		if d.box != nil {
			lon := math.Float64frombits(be.Uint64(r[recLon:]))
			lat := math.Float64frombits(be.Uint64(r[recLat:]))
			if !(lon >= d.box.Min[0] && lon <= d.box.Max[0] && lat >= d.box.Min[1] && lat <= d.box.Max[1]) {
				continue
			}
		}
		c.Cell = be.Uint64(r[recCell:])
		if d.only != nil {
			if _, ok := d.only[c.Cell]; !ok {
				continue
			}
		}
		flags := r[recFlags]
		c.Firms = int(int32(be.Uint32(r[recFirms:])))
		c.Closed = int(int32(be.Uint32(r[recClosed:])))
		c.Employees = math.Float64frombits(be.Uint64(r[recEmployees:]))
		c.EmployeesEstimated = math.Float64frombits(be.Uint64(r[recEstimated:]))
		c.Imprecise = int(int32(be.Uint32(r[recImprecise:])))
		c.LQ = optionalField(r[recLQ:], flags&flagLQ != 0, &d.lq)
		c.GiZ = optionalField(r[recGiZ:], flags&flagGiZ != 0, &d.z)
		c.GiP = optionalField(r[recGiP:], flags&flagGiP != 0, &d.p)
		c.GiBin = int(int16(be.Uint16(r[recGiBin:])))
		c.Suppressed = flags&flagSuppressed != 0
		c.Institutions = inst
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
