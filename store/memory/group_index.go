package memory

import (
	"fmt"
	"strings"

	"github.com/kume-geo/kume"
)

// The group index of an analysis file (format version 3) follows the region
// statistics: the file offset where the cell section ends, the number of
// (resolution, sector) groups and, for each in file order, its resolution,
// sector, the file offset of its first row and its number of rows. The last
// 8 bytes of the body (before the checksum) give the file offset of the
// index, so a reader finds it, and from it the run, clusters and regions,
// without reading the cells; a group's rows are the bytes from its offset to
// the next group's (or to the end of the cell section).

// footerLen is the size of the index's offset at the end of the body.
const footerLen = 8

// groupSpan locates one (resolution, sector) group's rows in the file.
type groupSpan struct {
	group cellGroup
	off   int64 // file offset of the group's first row
	rows  int
}

// groupIndex locates every group's rows.
type groupIndex struct {
	spans    []groupSpan // in file order, so by (resolution, sector)
	cellsEnd int64       // file offset just past the last row
}

// end returns the file offset just past span i's rows.
func (x *groupIndex) end(i int) int64 {
	if i+1 < len(x.spans) {
		return x.spans[i+1].off
	}
	return x.cellsEnd
}

// add records that the row c is written next, at file offset off.
func (x *groupIndex) add(off int64, c *kume.CellStat) {
	n := len(x.spans)
	if n == 0 || x.spans[n-1].group.res != c.Res || x.spans[n-1].group.sector != c.Sector {
		x.spans = append(x.spans, groupSpan{group: cellGroup{c.Res, strings.Clone(c.Sector)}, off: off})
		n++
	}
	x.spans[n-1].rows++
}

// encodeGroupIndex writes the index, the cell section ending at cellsEnd,
// and the footer giving the index's offset.
func encodeGroupIndex(e *encoder, x *groupIndex, cellsEnd int64) {
	at := e.offset()
	e.uvarint(uint64(cellsEnd))
	e.uvarint(uint64(len(x.spans)))
	for _, s := range x.spans {
		e.int(s.group.res)
		e.str(s.group.sector)
		e.uvarint(uint64(s.off))
		e.uvarint(uint64(s.rows))
	}
	e.u64(uint64(at))
}

// decodeGroupIndex reads the index written by encodeGroupIndex, up to the
// footer (which it leaves unread). Sector keys are copied out of the
// decoder's memory.
func decodeGroupIndex(d *decoder) groupIndex {
	var x groupIndex
	x.cellsEnd = int64(d.uvarint())
	x.spans = make([]groupSpan, d.count(4))
	for i := range x.spans {
		s := &x.spans[i]
		s.group.res = d.int()
		s.group.sector = strings.Clone(d.str())
		s.off = int64(d.uvarint())
		s.rows = int(d.uvarint())
	}
	return x
}

// check verifies that the index describes count rows, in groups ordered by
// (resolution, sector), that tile the cell section [cellsStart, cellsEnd),
// which lies before the index at indexAt.
func (x *groupIndex) check(count int, cellsStart, indexAt int64) error {
	if x.cellsEnd < cellsStart || x.cellsEnd > indexAt {
		return fmt.Errorf("group index: cell section ends at %d, outside [%d, %d]: %w", x.cellsEnd, cellsStart, indexAt, errCorrupt)
	}
	if len(x.spans) == 0 {
		if count != 0 || x.cellsEnd != cellsStart {
			return fmt.Errorf("group index: no groups for %d cells: %w", count, errCorrupt)
		}
		return nil
	}
	if x.spans[0].off != cellsStart {
		return fmt.Errorf("group index: the first group starts at %d, the cells at %d: %w", x.spans[0].off, cellsStart, errCorrupt)
	}
	rows := 0
	for i, s := range x.spans {
		// A row takes at least 30 bytes (see decodeCell).
		if s.rows <= 0 || x.end(i) <= s.off || (x.end(i)-s.off)/30 < int64(s.rows) {
			return fmt.Errorf("group index: group %d (resolution %d, sector %q) of %d rows in bytes [%d, %d): %w",
				i, s.group.res, s.group.sector, s.rows, s.off, x.end(i), errCorrupt)
		}
		if i > 0 {
			p := x.spans[i-1].group
			if p.res > s.group.res || (p.res == s.group.res && p.sector >= s.group.sector) {
				return fmt.Errorf("group index: group %d is not after the one before: %w", i, errCorrupt)
			}
		}
		rows += s.rows
	}
	if rows != count {
		return fmt.Errorf("group index: %d rows in groups, %d cells: %w", rows, count, errCorrupt)
	}
	return nil
}
