package postgis

import (
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// randomCells returns n distinct valid cells of resolution res near (lat, lng)
// (anywhere for res 0-5; at most 60 at res 0), sorted, with random statistics,
// some optional values missing.
func randomCells(rng *rand.Rand, res, n int, lat, lng float64) []kume.CellStat {
	seen := map[uint64]bool{}
	var out []kume.CellStat
	if res == 0 {
		n = min(n, 60)
	}
	for len(out) < n {
		ll := h3.LatLng{Lat: lat + (rng.Float64()-0.5)*4, Lng: lng + (rng.Float64()-0.5)*4}
		if res <= 5 {
			ll = h3.LatLng{Lat: rng.Float64()*170 - 85, Lng: rng.Float64()*360 - 180}
		}
		c := uint64(h3.LatLngToCell(ll, res))
		if seen[c] {
			continue
		}
		seen[c] = true
		x := kume.CellStat{Res: res, Cell: c, Firms: rng.IntN(1 << 20), Closed: rng.IntN(40),
			Employees: rng.NormFloat64() * 1e4, EmployeesEstimated: rng.Float64() * 100,
			Imprecise: rng.IntN(9), GiBin: rng.IntN(7) - 3, Suppressed: rng.IntN(4) == 0}
		switch rng.IntN(8) {
		case 0:
			x.Institutions = map[kume.InstitutionType]int{kume.University: rng.IntN(5), kume.OSB: 1 + rng.IntN(3)}
		case 1:
			x.Institutions = map[kume.InstitutionType]int{}
		}
		if rng.IntN(3) > 0 {
			v := rng.Float64() * 5
			x.LQ = &v
		}
		if rng.IntN(3) > 0 {
			z, p := rng.NormFloat64()*3, rng.Float64()
			x.GiZ, x.GiP = &z, &p
		}
		if rng.IntN(5) == 0 { // a z score without a p value
			x.GiP = nil
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b kume.CellStat) int { return cmpU64(a.Cell, b.Cell) })
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestBlockRoundTrip: records decode to the cells they were made of, only
// those with their centre in the box (edges included), in order.
func TestBlockRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, res := range []int{0, 2, 5, 8, 11} {
		cells := randomCells(rng, res, 300, 41, 29)
		lons, lats := make([]float64, len(cells)), make([]float64, len(cells))
		data := []byte{blockFormat}
		for i := range cells {
			ll := h3.Cell(int64(cells[i].Cell)).LatLng()
			lons[i], lats[i] = ll.Lng, ll.Lat
			var err error
			if data, err = appendBlockRecord(data, &cells[i], ll.Lng, ll.Lat); err != nil {
				t.Fatal(err)
			}
		}
		// The box's edges on centres of cells: both are kept.
		a, b := rng.IntN(len(cells)), rng.IntN(len(cells))
		boxes := []orb.Bound{
			{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}},
			{Min: orb.Point{min(lons[a], lons[b]), min(lats[a], lats[b])}, Max: orb.Point{max(lons[a], lons[b]), max(lats[a], lats[b])}},
			{Min: orb.Point{lons[a], lats[a]}, Max: orb.Point{lons[a], lats[a]}},
			{Min: orb.Point{10, 10}, Max: orb.Point{11, 11}},
		}
		for _, box := range boxes {
			var want []kume.CellStat
			for i, c := range cells {
				if lons[i] >= box.Min[0] && lons[i] <= box.Max[0] && lats[i] >= box.Min[1] && lats[i] <= box.Max[1] {
					c.Res, c.Sector = res, "C"
					want = append(want, c)
				}
			}
			d := blockCells{box: &box, institutions: true}
			d.c.Res, d.c.Sector = res, "C"
			var got []kume.CellStat
			err := d.each(data, func(c *kume.CellStat) error {
				g := *c
				g.LQ, g.GiZ, g.GiP = clonePtr(c.LQ), clonePtr(c.GiZ), clonePtr(c.GiP)
				got = append(got, g)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("res %d box %v: %d cells, want %d", res, box, len(got), len(want))
			}
			for i := range want {
				if !sameCell(got[i], want[i]) {
					t.Fatalf("res %d cell %d: got %+v, want %+v", res, i, got[i], want[i])
				}
			}
		}
	}
}

// TestBlockMalformed: bytes that are not a block, or cells out of order within
// or across the blocks of a read, are errors, and hand on no cell of the bad
// block; an error of fn stops the walk.
func TestBlockMalformed(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cells := randomCells(rng, 7, 10, 41, 29)
	cells[2].Institutions = map[kume.InstitutionType]int{kume.OSB: 2}
	block := func(cs []kume.CellStat) []byte {
		data := []byte{blockFormat}
		for i := range cs {
			data = mustRecord(t, data, &cs[i], 29, 41)
		}
		return data
	}
	good := block(cells)
	everything := &orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	withJSON := block(cells[2:3])
	badJSON := slices.Clone(withJSON)
	badJSON[len(badJSON)-1] = 'x'
	nullJSON := append(slices.Clone(withJSON[:1+blockRecordSize]), 0, 4, 'n', 'u', 'l', 'l')
	count := func(d *blockCells, data []byte) (int, error) {
		n := 0
		err := d.each(data, func(*kume.CellStat) error { n++; return nil })
		return n, err
	}
	swapped := slices.Clone(cells)
	swapped[3], swapped[4] = swapped[4], swapped[3]
	for name, data := range map[string][]byte{
		"empty":       nil,
		"format":      append([]byte{1}, good[1:]...),
		"no length":   withJSON[:1+blockRecordSize+1],
		"short json":  withJSON[:len(withJSON)-1],
		"bad json":    badJSON,
		"null json":   nullJSON,
		"short":       good[:len(good)-1],
		"long":        append(slices.Clone(good), 0),
		"descending":  block(swapped),
		"duplicate":   block(append(slices.Clone(cells[:3]), cells[2])),
		"only format": {blockFormat, 0, 0},
	} {
		d := blockCells{box: everything, institutions: true}
		if n, err := count(&d, data); err == nil || n != 0 {
			t.Errorf("%s: %d cells, error %v", name, n, err)
		}
	}
	// An empty block is well formed.
	d := blockCells{box: everything}
	if n, err := count(&d, []byte{blockFormat}); err != nil || n != 0 {
		t.Errorf("empty block: %d cells, error %v", n, err)
	}
	// Blocks of one read must ascend too.
	d = blockCells{box: everything}
	if n, err := count(&d, block(cells[5:])); err != nil || n != 5 {
		t.Fatalf("second half: %d cells, error %v", n, err)
	}
	if n, err := count(&d, block(cells[:5])); err == nil || n != 0 {
		t.Errorf("blocks out of order: %d cells, error %v", n, err)
	}
	stop := errors.New("stop")
	d = blockCells{box: everything}
	n := 0
	err := d.each(good, func(*kume.CellStat) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: %v after %d cells", err, n)
	}
}

// TestStreamWalk: cells in stream order are walked as they are, others in
// stream order.
func TestStreamWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var cells []kume.CellStat
	for _, res := range []int{6, 8} {
		for _, sector := range []string{"", "A", "C"} {
			cs := randomCells(rng, res, 50, 41, 29)
			for i := range cs {
				cs[i].Sector = sector
			}
			cells = append(cells, cs...)
		}
	}
	if o := streamWalk(cells); o != nil {
		t.Fatalf("cells in stream order: walk %v", o[:5])
	}
	for name, mix := range map[string]func([]kume.CellStat){
		"swap":      func(c []kume.CellStat) { c[10], c[11] = c[11], c[10] },
		"split":     func(c []kume.CellStat) { c[0], c[len(c)-1] = c[len(c)-1], c[0] },
		"resume":    func(c []kume.CellStat) { c[49], c[100] = c[100], c[49] },
		"groups":    func(c []kume.CellStat) { copy(c, append(slices.Clone(c[150:]), c[:150]...)) },
		"duplicate": func(c []kume.CellStat) { c[11] = c[10] },
	} {
		cs := slices.Clone(cells)
		mix(cs)
		o := streamWalk(cs)
		if o == nil {
			t.Fatalf("%s: walked as they are", name)
		}
		for i := 1; i < len(o); i++ {
			if streamOrder(&cs[o[i-1]], &cs[o[i]]) > 0 {
				t.Fatalf("%s: walk not sorted at %d", name, i)
			}
		}
	}
}

// FuzzBlockCells: the decoder of bytes read from the database never panics,
// hands on only cells of a well-formed part, in ascending order, inside the
// box, and what it hands on encodes and decodes again to the same cells.
func FuzzBlockCells(f *testing.F) {
	rng := rand.New(rand.NewPCG(9, 10))
	cells := randomCells(rng, 6, 5, 41, 29)
	cells[1].Institutions = map[kume.InstitutionType]int{kume.Chamber: 3}
	data := []byte{blockFormat}
	for i := range cells {
		data = mustRecord(f, data, &cells[i], 29+float64(i)/10, 41)
	}
	f.Add(data, 28.0, 40.0, 30.0, 42.0)
	f.Add(data[:40], 28.0, 40.0, 30.0, 42.0)
	f.Add([]byte{blockFormat}, 0.0, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, minLon, minLat, maxLon, maxLat float64) {
		box := orb.Bound{Min: orb.Point{minLon, minLat}, Max: orb.Point{maxLon, maxLat}}
		d := blockCells{box: &box, institutions: true}
		var got []kume.CellStat
		var again []byte
		err := d.each(data, func(c *kume.CellStat) error {
			g := *c
			g.LQ, g.GiZ, g.GiP = clonePtr(c.LQ), clonePtr(c.GiZ), clonePtr(c.GiP)
			got = append(got, g)
			var err error
			again, err = appendBlockRecord(append(again[:0:0], blockFormat), c, minLon, minLat)
			if err != nil {
				t.Fatalf("cell %x decoded but does not encode: %v", c.Cell, err)
			}
			e := blockCells{institutions: true}
			return e.each(again, func(x *kume.CellStat) error {
				if !sameCell(*x, *c) {
					t.Fatalf("cell decodes to %+v, encoded and decoded again to %+v", *c, *x)
				}
				return nil
			})
		})
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("error %v after %d cells", err, len(got))
			}
			return
		}
		if data[0] != blockFormat {
			t.Fatalf("format %d accepted", data[0])
		}
		for i := 1; i < len(got); i++ {
			if got[i].Cell <= got[i-1].Cell {
				t.Fatal("descending cells accepted")
			}
		}
	})
}

// mustRecord is appendBlockRecord for cells that encode.
func mustRecord(t testing.TB, b []byte, c *kume.CellStat, lon, lat float64) []byte {
	t.Helper()
	b, err := appendBlockRecord(b, c, lon, lat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func clonePtr(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func sameCell(g, w kume.CellStat) bool {
	same := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return g.Cell == w.Cell && g.Res == w.Res && g.Sector == w.Sector && g.Firms == w.Firms &&
		g.Closed == w.Closed && g.Employees == w.Employees && g.EmployeesEstimated == w.EmployeesEstimated &&
		g.Imprecise == w.Imprecise && g.GiBin == w.GiBin && g.Suppressed == w.Suppressed &&
		same(g.LQ, w.LQ) && same(g.GiZ, w.GiZ) && same(g.GiP, w.GiP) &&
		(g.Institutions == nil) == (w.Institutions == nil) && maps.Equal(g.Institutions, w.Institutions)
}
