package postgis_test

import (
	"cmp"
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// TestTileCellsMatchesCellStats checks the tile read from cell blocks, and
// CellStats with the same bounding box, against the view cell_stats, which
// unpacks the blocks in SQL (exactCellStats): same cells in the same order, same
// published fields, for boxes of many sizes around patches of cells at several
// resolutions (0-2 too, whose blocks are keyed at resolution 0), near the
// antimeridian and with edges on cell centres, for a version saved from sorted
// cells and one saved from shuffled cells.
func TestTileCellsMatchesCellStats(t *testing.T) {
	ctx := context.Background()
	s, conn := openWithConn(t)
	rng := rand.New(rand.NewPCG(7, 9))
	resolutions := []int{0, 1, 2, 4, 6, 8}
	places := []h3.LatLng{{Lat: 40.9, Lng: 29.1}, {Lat: -17.5, Lng: 179.7}}
	var cells []kume.CellStat
	for _, res := range resolutions {
		for _, sector := range []string{"", "C"} {
			for _, at := range places {
				for i, c := range h3.GridDisk(h3.LatLngToCell(at, res), 12) {
					if rng.IntN(3) == 0 {
						continue
					}
					lq, z, p := rng.Float64()*3, rng.NormFloat64()*2, rng.Float64()
					cs := kume.CellStat{Res: res, Cell: uint64(c), Sector: sector, Firms: 1 + rng.IntN(50),
						Employees: rng.Float64() * 100, Imprecise: rng.IntN(2), GiBin: rng.IntN(7) - 3,
						Suppressed: i%11 == 0}
					if i%5 != 0 {
						cs.LQ = &lq
					}
					if i%3 != 0 {
						cs.GiZ = &z
						if i%7 != 0 {
							cs.GiP = &p
						}
					}
					cells = append(cells, cs)
				}
			}
		}
	}
	// GridDisk overlaps at res 0-1 give duplicate cells: keep one of each.
	seen := map[[2]uint64]bool{}
	cells = slices.DeleteFunc(cells, func(c kume.CellStat) bool {
		k := [2]uint64{c.Cell, uint64(len(c.Sector))}
		dup := seen[k]
		seen[k] = true
		return dup
	})
	sorted := slices.Clone(cells)
	slices.SortFunc(sorted, func(a, b kume.CellStat) int {
		return cmp.Or(cmp.Compare(a.Res, b.Res), cmp.Compare(a.Sector, b.Sector), cmp.Compare(a.Cell, b.Cell))
	})
	v1, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}, Cells: sorted})
	if err != nil {
		t.Fatal(err)
	}
	rng.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
	v2, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}, Cells: cells})
	if err != nil {
		t.Fatal(err)
	}
	var boxes []orb.Bound
	for i := range 120 {
		at := places[i%2]
		w := 0.02 * float64(int(1)<<(i%10))
		lon, lat := at.Lng+(rng.Float64()-0.5)*w, at.Lat+(rng.Float64()-0.5)*w
		b := orb.Bound{Min: orb.Point{lon - w/2, lat - w/3}, Max: orb.Point{lon + w/2, lat + w/3}}
		b.Min[0], b.Max[0] = max(b.Min[0], -180), min(b.Max[0], 180)
		boxes = append(boxes, b)
	}
	// Edges on the antimeridian, and on cell centres (kept, like BETWEEN).
	boxes = append(boxes, orb.Bound{Min: orb.Point{179, -18}, Max: orb.Point{180, -17}},
		orb.Bound{Min: orb.Point{-180, -18}, Max: orb.Point{-179.5, -17}})
	for _, res := range resolutions {
		c := h3.LatLngToCell(places[0], res)
		ll, n := c.LatLng(), h3.GridDisk(c, 2)[7].LatLng()
		boxes = append(boxes, orb.Bound{Min: orb.Point{min(ll.Lng, n.Lng), min(ll.Lat, n.Lat)},
			Max: orb.Point{max(ll.Lng, n.Lng), max(ll.Lat, n.Lat)}},
			orb.Bound{Min: orb.Point{ll.Lng, ll.Lat}, Max: orb.Point{ll.Lng, ll.Lat}})
	}
	found := 0
	for i, b := range boxes {
		for _, res := range resolutions {
			sector := []string{"", "C"}[(i+res)%2]
			f := kume.CellFilter{Version: []int64{0, v1, v2}[(i+res)%3], Res: res, Sector: sector, BBox: &b}
			want := exactCellStats(t, conn, f)
			inBox, err := s.CellStats(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []kume.CellStat
			err = s.TileCells(ctx, f, func(c *kume.CellStat) error {
				g := *c
				g.LQ, g.GiZ, g.GiP = clone(c.LQ), clone(c.GiZ), clone(c.GiP)
				got = append(got, g)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(inBox) != len(want) {
				t.Fatalf("box %v res %d sector %q: TileCells has %d cells, CellStats %d, cell_stats %d",
					b, res, sector, len(got), len(inBox), len(want))
			}
			found += len(got)
			for j := range want {
				g, c, w := got[j], inBox[j], want[j]
				if c.Cell != w.Cell || c.Res != w.Res || c.Sector != w.Sector || c.Firms != w.Firms ||
					c.Employees != w.Employees || c.Imprecise != w.Imprecise || c.GiBin != w.GiBin ||
					c.Suppressed != w.Suppressed ||
					!sameFloat(c.LQ, w.LQ) || !sameFloat(c.GiZ, w.GiZ) || !sameFloat(c.GiP, w.GiP) {
					t.Fatalf("box %v cell %d: CellStats has %+v, cell_stats %+v", b, j, c, w)
				}
				if g.Cell != w.Cell || g.Res != w.Res || g.Sector != w.Sector || g.Firms != w.Firms ||
					g.Employees != w.Employees || g.Imprecise != w.Imprecise || g.GiBin != w.GiBin ||
					g.Suppressed != w.Suppressed ||
					!sameFloat(g.LQ, w.LQ) || !sameFloat(g.GiZ, w.GiZ) || !sameFloat(g.GiP, w.GiP) {
					t.Fatalf("box %v cell %d: TileCells has %+v, cell_stats %+v", b, j, g, w)
				}
			}
		}
	}
	if found < 1000 {
		t.Fatalf("only %d cells in all the boxes: the test tests little", found)
	}
}

// TestCellBlocksSQLView: the view cell_stats (migration 00008), which unpacks
// the blocks in SQL, returns every field of every cell as saved, and a stream
// of small batches that end inside blocks writes the same blocks, byte for
// byte, as SaveAnalysis.
func TestCellBlocksSQLView(t *testing.T) {
	ctx := context.Background()
	s, conn := openWithConn(t)
	rng := rand.New(rand.NewPCG(11, 12))
	var cells []kume.CellStat
	for _, res := range []int{1, 5, 9} {
		for _, sector := range []string{"", "C10", "G"} {
			for i, c := range h3.GridDisk(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, res), 9) {
				lq, z, p := rng.Float64()*3, -rng.Float64()*2, rng.Float64()
				cs := kume.CellStat{Res: res, Cell: uint64(c), Sector: sector, Firms: rng.IntN(1000),
					Closed: rng.IntN(9), Employees: rng.NormFloat64() * 50, EmployeesEstimated: rng.Float64() * 20,
					Imprecise: rng.IntN(3), GiBin: rng.IntN(7) - 3,
					Suppressed: i%4 == 0, LQ: &lq, GiZ: &z, GiP: &p}
				if i%3 == 0 {
					cs.LQ = nil
				}
				if i%5 == 0 {
					cs.GiZ, cs.GiP = nil, nil
				}
				switch i % 7 {
				case 0:
					cs.Institutions = map[kume.InstitutionType]int{kume.University: 1 + i, kume.OSB: 2}
				case 1:
					cs.Institutions = map[kume.InstitutionType]int{}
				}
				cells = append(cells, cs)
			}
		}
	}
	// Two sectors, one after the other, with their cells in one block.
	at := uint64(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, 9))
	cells = append(cells, kume.CellStat{Res: 9, Cell: at, Sector: "K", Firms: 2},
		kume.CellStat{Res: 9, Cell: at, Sector: "L", Firms: 3})
	saved, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}, Cells: cells})
	if err != nil {
		t.Fatal(err)
	}
	// The same cells again, streamed in batches that end inside blocks.
	slices.SortFunc(cells, func(a, b kume.CellStat) int {
		return cmp.Or(cmp.Compare(a.Res, b.Res), cmp.Compare(a.Sector, b.Sector), cmp.Compare(a.Cell, b.Cell))
	})
	w, err := s.BeginAnalysis(ctx, len(cells))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for lo := 0; lo < len(cells); lo += 5 {
		if err := w.WriteCells(ctx, cells[lo:min(lo+5, len(cells))]); err != nil {
			t.Fatal(err)
		}
	}
	streamed, err := w.Commit(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	blocks := func(v int64) []string {
		rows, err := conn.Query(ctx, `SELECT format('%s %s %s %s', res, sector, cell, encode(data, 'hex'))
			FROM cell_blocks WHERE version = $1 ORDER BY res, sector, cell`, v)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if a, b := blocks(saved), blocks(streamed); !slices.Equal(a, b) || len(a) < 20 {
		t.Fatalf("saved %d blocks, streamed %d; first differences:\n%s", len(a), len(b), firstDiff(a, b))
	}
	rows, err := conn.Query(ctx, `SELECT res, cell, sector, firms, closed, employees, employees_estimated, imprecise,
			lq, gi_z, gi_p, gi_bin, suppressed, institutions, lon, lat
		FROM cell_stats WHERE version = $1`, saved)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		res    int
		sector string
		cell   uint64
	}
	got := map[key]kume.CellStat{}
	_, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct{}, error) {
		var c kume.CellStat
		var res, giBin int16
		var cell int64
		var firms, closed, imprecise int32
		var lon, lat float64
		err := row.Scan(&res, &cell, &c.Sector, &firms, &closed, &c.Employees, &c.EmployeesEstimated, &imprecise,
			&c.LQ, &c.GiZ, &c.GiP, &giBin, &c.Suppressed, &c.Institutions, &lon, &lat)
		c.Res, c.Cell, c.Firms, c.Closed, c.Imprecise, c.GiBin =
			int(res), uint64(cell), int(firms), int(closed), int(imprecise), int(giBin)
		if ll := h3.Cell(cell).LatLng(); err == nil && (ll.Lng != lon || ll.Lat != lat) {
			t.Errorf("cell %x: centre (%v, %v), want (%v, %v)", cell, lon, lat, ll.Lng, ll.Lat)
		}
		got[key{c.Res, c.Sector, c.Cell}] = c
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cells) {
		t.Fatalf("the view has %d cells, %d were saved", len(got), len(cells))
	}
	for _, c := range cells {
		g, ok := got[key{c.Res, c.Sector, c.Cell}]
		// DeepEqual compares what the pointers point to, and tells nil and
		// empty maps apart.
		if !ok || !reflect.DeepEqual(g, c) {
			t.Fatalf("view: %+v, saved %+v", g, c)
		}
	}
}

// exactCellStats returns, straight from cell_stats, the published fields of
// the cells matching f whose centre lies in f.BBox: the reference for both
// reads of a box.
func exactCellStats(t *testing.T, conn *pgx.Conn, f kume.CellFilter) []kume.CellStat {
	t.Helper()
	b := f.BBox
	rows, err := conn.Query(context.Background(), `SELECT res, cell, sector, firms, employees, imprecise, lq, gi_z, gi_p, gi_bin, suppressed
		FROM cell_stats
		WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
		  AND res = $2 AND sector = $3 AND lon >= $4 AND lon <= $6 AND lat >= $5 AND lat <= $7
		ORDER BY cell`, f.Version, f.Res, f.Sector, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kume.CellStat, error) {
		var c kume.CellStat
		var res, giBin int16
		var cell int64
		var firms, imprecise int32
		err := row.Scan(&res, &cell, &c.Sector, &firms, &c.Employees, &imprecise, &c.LQ, &c.GiZ, &c.GiP, &giBin, &c.Suppressed)
		c.Res, c.Cell, c.Firms, c.Imprecise, c.GiBin = int(res), uint64(cell), int(firms), int(imprecise), int(giBin)
		return c, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + "\n" + b[i]
		}
	}
	return "(one is a prefix of the other)"
}

func clone(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
