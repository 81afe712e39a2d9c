package postgis

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// copyRow is one row of a binary COPY stream of cell blocks.
type copyRow struct {
	version int64
	res     int
	sector  string
	cell    uint64 // the first
	data    []byte
}

// parseBlockRows splits rows (binary COPY rows of cellBlockColumns) apart.
func parseBlockRows(t *testing.T, rows []byte) []copyRow {
	t.Helper()
	be := binary.BigEndian
	var out []copyRow
	for len(rows) > 0 {
		n := int(be.Uint16(rows))
		rows = rows[2:]
		var fields [][]byte
		for range n {
			l := int(int32(be.Uint32(rows)))
			fields = append(fields, rows[4:4+l])
			rows = rows[4+l:]
		}
		if n != len(cellBlockColumns()) {
			t.Fatalf("row of %d fields", n)
		}
		out = append(out, copyRow{version: int64(be.Uint64(fields[0])), res: int(int16(be.Uint16(fields[1]))),
			sector: string(fields[2]), cell: be.Uint64(fields[3]), data: fields[4]})
	}
	return out
}

// TestCellEncoderBlocks: the cells of a resolution and sector go into blocks
// of consecutive cells of at most blockBytes (a record of more than that alone
// in its block), each keyed by its first cell and well formed; read in order,
// the blocks give back every cell; a new sector begins a new block.
func TestCellEncoderBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	parent := h3.LatLngToCell(h3.LatLng{Lat: 40.19, Lng: 29.06}, 6)
	children := parent.Children(9) // 343 cells
	var cells []kume.CellStat
	for _, sector := range []string{"A", "B"} {
		for i, c := range children {
			x := kume.CellStat{Res: 9, Cell: uint64(c), Sector: sector, Firms: i, Employees: rng.Float64()}
			if i%50 == 7 {
				x.Institutions = map[kume.InstitutionType]int{kume.University: i}
			}
			cells = append(cells, x)
		}
	}
	// One cell whose institutions take more than a block.
	big := map[kume.InstitutionType]int{}
	for i := range 800 {
		big[kume.InstitutionType("type-"+string(rune('a'+i%26))+string(rune('a'+i/26)))] = i
	}
	cells[len(cells)-1].Institutions = big
	e := newCellEncoder(4)
	var rows []byte
	var err error
	for i := range cells {
		if rows, err = e.appendCell(rows, &cells[i]); err != nil {
			t.Fatal(err)
		}
	}
	rows = e.flush(rows)
	got := parseBlockRows(t, rows)
	if len(got) != e.blocks {
		t.Fatalf("%d rows, encoder counted %d", len(got), e.blocks)
	}
	var decoded []kume.CellStat
	var d blockCells
	perSector := map[string]int{}
	for i, r := range got {
		if r.version != 4 || r.res != 9 {
			t.Fatalf("row %+v", r)
		}
		if i == 0 || r.sector != got[i-1].sector {
			d = blockCells{institutions: true}
			d.c.Res = 9
		}
		perSector[r.sector]++
		d.c.Sector = r.sector
		n := 0
		if err := d.each(r.data, func(c *kume.CellStat) error {
			if n == 0 && c.Cell != r.cell {
				t.Fatalf("block keyed %x begins with cell %x", r.cell, c.Cell)
			}
			x := *c
			x.LQ, x.GiZ, x.GiP = clonePtr(c.LQ), clonePtr(c.GiZ), clonePtr(c.GiP)
			decoded = append(decoded, x)
			n++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(r.data) > blockBytes && n != 1 {
			t.Errorf("block of %d bytes holds %d cells", len(r.data), n)
		}
	}
	if perSector["A"] != 4 || perSector["B"] != 5 {
		t.Errorf("blocks by sector %v, want 4 of A (343 cells) and 5 of B (the last alone)", perSector)
	}
	if len(decoded) != len(cells) {
		t.Fatalf("%d cells decoded, %d encoded", len(decoded), len(cells))
	}
	for i := range cells {
		if !sameCell(decoded[i], cells[i]) {
			t.Fatalf("cell %d: %+v, want %+v", i, decoded[i], cells[i])
		}
	}
}

// TestCellEncoderRejects: a cell that is not a valid H3 cell of its
// resolution cannot be keyed by a block and is an EINVALID error.
func TestCellEncoderRejects(t *testing.T) {
	valid := uint64(h3.LatLngToCell(h3.LatLng{Lat: 40.19, Lng: 29.06}, 9))
	for name, c := range map[string]kume.CellStat{
		"not a cell":     {Res: 9, Cell: 12345},
		"zero":           {Res: 9},
		"other res":      {Res: 8, Cell: valid},
		"top bit":        {Res: 9, Cell: valid | 1<<63},
		"negative res":   {Res: -1, Cell: valid},
		"too many types": {Res: 9, Cell: valid, Institutions: hugeInstitutions()},
	} {
		_, err := newCellEncoder(1).appendCell(nil, &c)
		var ke *kume.Error
		if !errors.As(err, &ke) || ke.Code != kume.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

// hugeInstitutions returns counts whose JSON is longer than a record holds.
func hugeInstitutions() map[kume.InstitutionType]int {
	m := map[kume.InstitutionType]int{}
	for i := range 5000 {
		m[kume.InstitutionType(string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)))] = i
	}
	return m
}

// TestCellEncoderCentres: every record carries its cell's centre, for groups
// whose cells the first group of their resolution holds, lacks, or partly
// holds, and for a first group that is not the one of all firms.
func TestCellEncoderCentres(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var cells []kume.CellStat
	for _, res := range []int{5, 9} {
		disk := h3.GridDisk(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, res), 12)
		for _, sector := range []string{"", "A", "B", "C"} {
			if res == 5 && sector == "" {
				continue // the first group is "A"
			}
			var group []kume.CellStat
			for _, c := range disk {
				if rng.IntN(3) == 0 {
					group = append(group, kume.CellStat{Res: res, Cell: uint64(c), Sector: sector})
				}
			}
			slices.SortFunc(group, func(a, b kume.CellStat) int { return cmpU64(a.Cell, b.Cell) })
			cells = append(cells, group...)
		}
	}
	e := newCellEncoder(1)
	var rows []byte
	var err error
	for i := range cells {
		if rows, err = e.appendCell(rows, &cells[i]); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, r := range parseBlockRows(t, e.flush(rows)) {
		recs := r.data[1:]
		for len(recs) > 0 {
			k := recordLen(recs)
			cell := binary.BigEndian.Uint64(recs[recCell:])
			ll := h3.Cell(int64(cell)).LatLng()
			lon := math.Float64frombits(binary.BigEndian.Uint64(recs[recLon:]))
			lat := math.Float64frombits(binary.BigEndian.Uint64(recs[recLat:]))
			if lon != ll.Lng || lat != ll.Lat {
				t.Fatalf("res %d sector %q cell %x: centre (%v, %v), want (%v, %v)", r.res, r.sector, cell, lon, lat, ll.Lng, ll.Lat)
			}
			recs = recs[k:]
			n++
		}
	}
	if n != len(cells) {
		t.Fatalf("%d records, %d cells", n, len(cells))
	}
}
