package postgis

import (
	"encoding/binary"
	"sort"
	"strings"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// A saved analysis reaches the server as one binary COPY stream (the format of
// import_encode.go) of cell blocks (cellblock.go) into the version's partition
// of cell_blocks. They are built in one pass over cells that come in stream
// order, (resolution, sector, cell) ascending: a block is a run of
// consecutive cells of one resolution and sector, keyed by its first cell.

func cellBlockColumns() []string { return []string{"version", "res", "sector", "cell", "data"} }

// centre is a cell's centre.
type centre struct{ lon, lat float64 }

// knownCentre is the centre of a cell of the current resolution.
type knownCentre struct {
	cell     uint64
	lon, lat float64
}

// cellEncoder builds the block parts of one version's cell statistics.
//
// Each cell's centre is a call into H3; cells recur in many sectors of a
// resolution, so the encoder keeps the centres of the first group (sector) of
// the current resolution, in cell order, and finds the cells of the later
// groups among them with a cursor that moves forward, since every group
// comes in cell order too. The first group is that of all firms (sector key
// "", first in stream order), which holds every cell the others do; a cell it
// lacks has its centre computed again.
type cellEncoder struct {
	version int64

	res    int           // resolution of the cells so far
	first  string        // the sector of the resolution's first group
	known  []knownCentre // the centres of the first group, by cell
	cursor int           // where the current later group's last cell was found
	group  string        // the sector of the current group

	// The block being built: its resolution, sector and first cell, and its
	// data (the format byte and the records so far); open is false before
	// the first cell.
	open   bool
	bres   int
	sector string
	start  uint64
	data   []byte
	blocks int // blocks appended so far
}

func newCellEncoder(version int64) *cellEncoder {
	return &cellEncoder{version: version, res: -1}
}

// centre returns the centre of c's cell.
func (e *cellEncoder) centre(c *kume.CellStat) centre {
	if c.Res != e.res {
		e.res, e.first = c.Res, strings.Clone(c.Sector)
		e.group, e.known = e.first, e.known[:0]
	}
	if c.Sector == e.first {
		ce := computeCentre(c.Cell)
		e.known = append(e.known, knownCentre{c.Cell, ce.lon, ce.lat})
		return ce
	}
	if c.Sector != e.group {
		e.group, e.cursor = strings.Clone(c.Sector), 0
	}
	// Gallop forward from the cursor, then search the last step.
	lo, step := e.cursor, 1
	for lo+step < len(e.known) && e.known[lo+step].cell < c.Cell {
		lo += step
		step *= 2
	}
	hi := min(lo+step, len(e.known)-1) + 1
	i := lo + sort.Search(hi-lo, func(i int) bool { return e.known[lo+i].cell >= c.Cell })
	if i < len(e.known) && e.known[i].cell == c.Cell {
		e.cursor = i
		return centre{e.known[i].lon, e.known[i].lat}
	}
	e.cursor = max(0, min(i, len(e.known)-1))
	return computeCentre(c.Cell)
}

// computeCentre calls H3 for the centre of cell, a valid cell.
func computeCentre(cell uint64) centre {
	ll := h3.Cell(int64(cell)).LatLng()
	return centre{ll.Lng, ll.Lat}
}

// appendCell adds c to the block being built; a block that c ends (the last
// of a resolution and sector, or one that c would make too long) is appended
// to rows as a COPY row. A cell that is not a valid H3 cell of its resolution
// is an error (EINVALID).
func (e *cellEncoder) appendCell(rows []byte, c *kume.CellStat) ([]byte, error) {
	if !kume.IsCellOf(c.Cell, c.Res) {
		return rows, kume.Errorf(kume.EINVALID, "analysis: cell %x is not a valid H3 cell of resolution %d", c.Cell, c.Res)
	}
	ce := e.centre(c)
	if !e.open || c.Res != e.bres || c.Sector != e.sector {
		rows = e.flush(rows)
		e.begin(c)
	}
	n := len(e.data)
	var err error
	if e.data, err = appendBlockRecord(e.data, c, ce.lon, ce.lat); err != nil {
		return rows, err
	}
	if len(e.data) > blockBytes && n > 1 {
		// The record goes into the next block.
		rec := e.data[n:]
		e.data = e.data[:n]
		rows = e.flush(rows)
		e.begin(c)
		e.data = append(e.data, rec...)
	}
	return rows, nil
}

// begin starts a block whose first cell is c's.
func (e *cellEncoder) begin(c *kume.CellStat) {
	e.open, e.bres, e.start = true, c.Res, c.Cell
	if c.Sector != e.sector {
		// The caller may reuse the memory of its cells.
		e.sector = strings.Clone(c.Sector)
	}
	e.data = append(e.data[:0], blockFormat)
}

// flush appends the block being built, if any, to rows.
func (e *cellEncoder) flush(rows []byte) []byte {
	if !e.open {
		return rows
	}
	e.open = false
	e.blocks++
	rows = binary.BigEndian.AppendUint16(rows, uint16(len(cellBlockColumns())))
	rows = appendInt8(rows, e.version)
	rows = appendInt2(rows, int16(e.bres))
	rows = appendText(rows, e.sector)
	rows = appendInt8(rows, int64(e.start))
	rows = binary.BigEndian.AppendUint32(rows, uint32(len(e.data)))
	return append(rows, e.data...)
}

func appendInt2(b []byte, v int16) []byte {
	b = binary.BigEndian.AppendUint32(b, 2)
	return binary.BigEndian.AppendUint16(b, uint16(v))
}
