package postgis

import (
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/kume-geo/kume"
)

// A saved analysis reaches the server as two binary COPY streams (the format
// of import_encode.go): one row per cell statistic for the version's
// partition of cell_stats, and one row per block (cellblock.go) for its
// partition of cell_blocks. Both are built in one pass over cells that come
// in stream order, (resolution, sector, cell) ascending, so that the cells of
// a block are adjacent and each block is complete when the next begins.

func cellColumns() []string {
	return []string{"version", "res", "sector", "cell", "lon", "lat", "firms", "closed",
		"employees", "employees_estimated", "imprecise", "lq", "gi_z", "gi_p", "gi_bin",
		"suppressed", "institutions"}
}

func cellBlockColumns() []string { return []string{"version", "res", "sector", "block", "data"} }

// centre is a cell's centre; ok is false for an invalid cell.
type centre struct {
	lon, lat float64
	ok       bool
}

// cellEncoder appends the COPY rows of one version's cell statistics and
// builds their blocks. Cells recur in many sectors of a resolution, so it
// keeps the centres of the current resolution's cells (each is a call into
// H3), and forgets them when the resolution changes.
type cellEncoder struct {
	version int64
	res     int
	centres map[uint64]centre

	// The block being built: its resolution, sector and parent, and its data
	// (the format byte and the records so far); open is false before the
	// first cell that belongs in a block.
	open   bool
	bres   int
	sector string
	block  int64
	data   []byte
	blocks int // blocks appended so far
}

func newCellEncoder(version int64) *cellEncoder {
	return &cellEncoder{version: version, res: -1, centres: map[uint64]centre{}}
}

// centre returns the centre of cell, a cell of resolution res.
func (e *cellEncoder) centre(cell uint64, res int) centre {
	if res != e.res {
		clear(e.centres)
		e.res = res
	}
	ce, found := e.centres[cell]
	if !found {
		if lon, lat := cellCentre(cell); lon != nil {
			ce = centre{*lon, *lat, true}
		}
		e.centres[cell] = ce
	}
	return ce
}

// appendCell appends c's row of cell_stats to rows and adds c to its block;
// a block that c ends is appended to blocks. It returns both buffers.
func (e *cellEncoder) appendCell(rows, blocks []byte, c *kume.CellStat) ([]byte, []byte, error) {
	ce := e.centre(c.Cell, c.Res)
	be := binary.BigEndian
	rows = be.AppendUint16(rows, uint16(len(cellColumns())))
	rows = appendInt8(rows, e.version)
	rows = appendInt2(rows, int16(c.Res))
	rows = appendText(rows, c.Sector)
	rows = appendInt8(rows, int64(c.Cell))
	if ce.ok {
		rows = appendFloat8(rows, ce.lon)
		rows = appendFloat8(rows, ce.lat)
	} else {
		rows = appendNull(appendNull(rows))
	}
	rows = appendInt4(rows, int32(c.Firms))
	rows = appendInt4(rows, int32(c.Closed))
	rows = appendFloat8(rows, c.Employees)
	rows = appendFloat8(rows, c.EmployeesEstimated)
	rows = appendInt4(rows, int32(c.Imprecise))
	rows = appendOptFloat8(rows, c.LQ)
	rows = appendOptFloat8(rows, c.GiZ)
	rows = appendOptFloat8(rows, c.GiP)
	rows = appendInt2(rows, int16(c.GiBin))
	rows = appendBool(rows, c.Suppressed)
	if c.Institutions == nil {
		rows = appendNull(rows)
	} else {
		js, err := json.Marshal(c.Institutions)
		if err != nil {
			return rows, blocks, err
		}
		rows = be.AppendUint32(rows, uint32(1+len(js)))
		rows = append(rows, 1) // jsonb binary format version
		rows = append(rows, js...)
	}
	// Only valid cells of the row's resolution have a block.
	if !ce.ok || int(c.Cell>>52&0xf) != c.Res {
		return rows, blocks, nil
	}
	b := blockOf(c.Cell, c.Res)
	if !e.open || b != e.block || c.Res != e.bres || c.Sector != e.sector {
		blocks = e.flush(blocks)
		e.open, e.bres, e.block = true, c.Res, b
		if c.Sector != e.sector {
			// The caller may reuse the memory of its cells.
			e.sector = strings.Clone(c.Sector)
		}
		e.data = append(e.data[:0], blockFormat)
	}
	e.data = appendBlockRecord(e.data, c, ce.lon, ce.lat)
	return rows, blocks, nil
}

// flush appends the block being built, if any, to blocks.
func (e *cellEncoder) flush(blocks []byte) []byte {
	if !e.open {
		return blocks
	}
	e.open = false
	e.blocks++
	blocks = binary.BigEndian.AppendUint16(blocks, uint16(len(cellBlockColumns())))
	blocks = appendInt8(blocks, e.version)
	blocks = appendInt2(blocks, int16(e.bres))
	blocks = appendText(blocks, e.sector)
	blocks = appendInt8(blocks, e.block)
	blocks = binary.BigEndian.AppendUint32(blocks, uint32(len(e.data)))
	return append(blocks, e.data...)
}

func appendInt2(b []byte, v int16) []byte {
	b = binary.BigEndian.AppendUint32(b, 2)
	return binary.BigEndian.AppendUint16(b, uint16(v))
}

// appendOptFloat8 appends *p, or NULL for nil.
func appendOptFloat8(b []byte, p *float64) []byte {
	if p == nil {
		return appendNull(b)
	}
	return appendFloat8(b, *p)
}
