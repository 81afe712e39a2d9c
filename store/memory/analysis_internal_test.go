package memory

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/uber/h3-go/v4"
)

// randomCells returns cell statistics of several sectors at two resolutions
// in random order; sectors share most cells, as analysis output does.
func randomCells(t *testing.T, rng *rand.Rand) []kume.CellStat {
	t.Helper()
	var out []kume.CellStat
	for _, res := range []int{5, 7} {
		var base []uint64
		for range 300 {
			c := h3.LatLngToCell(h3.NewLatLng(36+rng.Float64()*6, 26+rng.Float64()*18), res)
			base = append(base, uint64(c))
		}
		slices.Sort(base)
		base = slices.Compact(base)
		for _, sector := range []string{"", "13", "13.1", "vc:textiles", "rare"} {
			for _, c := range base {
				if sector == "" || rng.IntN(3) == 0 {
					lq := rng.Float64()
					out = append(out, kume.CellStat{Res: res, Cell: c, Sector: sector, Firms: rng.IntN(9), LQ: &lq})
				}
			}
		}
		// A cell of a sector that the largest group lacks.
		out = append(out, kume.CellStat{Res: res, Cell: uint64(h3.LatLngToCell(h3.NewLatLng(10, 10), res)), Sector: "rare"})
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestNewAnalysisGroupsAndCentres(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cells := randomCells(t, rng)
	want := cloneCells(cells)
	a, err := newAnalysis(&kume.AnalysisResult{Cells: cells}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.all) != len(want) {
		t.Fatalf("%d cells, want %d", len(a.all), len(want))
	}
	n := 0
	for g, set := range a.cells {
		n += len(set.stats)
		for i, c := range set.stats {
			if c.Res != g.res || c.Sector != g.sector || (i > 0 && set.stats[i-1].Cell >= c.Cell) {
				t.Fatalf("group %v: row %d out of place: %+v", g, i, c)
			}
			if got, exp := set.centres[i], cellCentre(c.Cell); got != exp {
				t.Fatalf("group %v: centre of %x = %v, want %v", g, c.Cell, got, exp)
			}
		}
	}
	if n != len(want) {
		t.Fatalf("groups hold %d cells, want %d", n, len(want))
	}
	dup := append(cloneCells(want), want[0])
	if _, err := newAnalysis(&kume.AnalysisResult{Cells: dup}, nil); kume.ErrorCode(err) != kume.EINVALID {
		t.Fatalf("a duplicate cell gave %v, want EINVALID", err)
	}
}

func TestSeekCell(t *testing.T) {
	var cells []uint64
	for c := uint64(10); c < 1000; c += 10 {
		cells = append(cells, c)
	}
	for lo := 0; lo < len(cells); lo += 7 {
		for c := uint64(0); c < 1010; c += 3 {
			want := lo
			for want < len(cells) && cells[want] < c {
				want++
			}
			if got := seekCell(cells, lo, c); got != want {
				t.Fatalf("seekCell(lo=%d, %d) = %d, want %d", lo, c, got, want)
			}
		}
	}
}

// TestAppendCellMatchesEncoder checks the one-call cell encoding against the
// encoder's field methods, which wrote the analysis file before.
func TestAppendCellMatchesEncoder(t *testing.T) {
	lq, z := 1.5, -2.25
	cells := []kume.CellStat{
		{Res: 9, Cell: 0x89283082837ffff, Sector: "", Firms: 3, Closed: 1, Employees: 12.5, EmployeesEstimated: 2.5,
			Imprecise: 1, LQ: &lq, GiZ: &z, GiBin: -2, Suppressed: true,
			Institutions: map[kume.InstitutionType]int{"university": 2, "chamber": 1}},
		{Res: 4, Cell: 1, Sector: "vc:textiles", Firms: -1},
	}
	for _, c := range cells {
		var want bytes.Buffer
		e := newEncoder(&want, kindAnalysis)
		e.int(c.Res)
		e.u64(c.Cell)
		e.str(c.Sector)
		e.int(c.Firms)
		e.int(c.Closed)
		e.f64(c.Employees)
		e.f64(c.EmployeesEstimated)
		e.int(c.Imprecise)
		e.optFloat(c.LQ)
		e.optFloat(c.GiZ)
		e.optFloat(c.GiP)
		e.int(c.GiBin)
		e.bool(c.Suppressed)
		e.counts(c.Institutions)
		if err := e.flush(); err != nil {
			t.Fatal(err)
		}
		got := appendCell([]byte(want.String()[:headerLen]), &c)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("appendCell(%+v) = %x, want %x", c, got, want.Bytes())
		}
	}
}

// TestSaveAnalysisCopiesOwnedDoesNot checks the two ways to save: the store
// keeps no memory of a result given to SaveAnalysis, and takes over the one
// given to saveOwned.
func TestSaveAnalysisCopiesOwnedDoesNot(t *testing.T) {
	ctx := context.Background()
	s := New()
	lq := 2.0
	cells := []kume.CellStat{{Res: 9, Cell: 0x89283082837ffff, Firms: 5, LQ: &lq}}
	if _, err := s.SaveAnalysis(ctx, &kume.AnalysisResult{Cells: cells}); err != nil {
		t.Fatal(err)
	}
	cells[0].Firms, *cells[0].LQ = 7, 3
	got, err := s.CellStats(ctx, kume.CellFilter{Res: 9})
	if err != nil || len(got) != 1 || got[0].Firms != 5 || *got[0].LQ != 2 {
		t.Fatalf("after changing the saved input: %+v, %v", got, err)
	}
	r := &kume.AnalysisResult{Cells: cloneCells(cells)}
	v, err := s.saveOwned(ctx, r)
	if err != nil || r.Run.Version != v {
		t.Fatalf("saveOwned = %d, %v; Run.Version %d", v, err, r.Run.Version)
	}
	if a := s.snapshot().slot("").a; &a.all[0] != &r.Cells[0] {
		t.Error("saveOwned copied the cells")
	}
}

// TestReadAnalysisVersion1 writes an analysis file in the layout of format
// version 1 (the run first, a centre after each cell) and reads it back.
func TestReadAnalysisVersion1(t *testing.T) {
	r := synthTail()
	r.Cells = newSynthCells(4, 4, 0.3).all()
	want, err := newAnalysis(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	want.run.Version = 7
	var buf bytes.Buffer
	e := newEncoder(&buf, kindAnalysis)
	e.varint(want.run.Version)
	e.time(want.run.StartedAt)
	e.time(want.run.FinishedAt)
	e.bytes(want.run.Params)
	e.uvarint(uint64(len(want.all)))
	for i := range want.all {
		e.w.Write(appendCell(nil, &want.all[i]))
		e.f64(want.centres[i][0])
		e.f64(want.centres[i][1])
	}
	// The version 2 tail without its run.
	var tail bytes.Buffer
	te := newEncoder(&tail, kindAnalysis)
	encodeTail(te, 1, &kume.AnalysisRun{}, want.clusters, want.regions)
	if err := te.flush(); err != nil {
		t.Fatal(err)
	}
	var run bytes.Buffer
	re := newEncoder(&run, kindAnalysis)
	re.varint(0)
	re.time(time.Time{})
	re.time(time.Time{})
	re.bytes(nil)
	if err := re.flush(); err != nil {
		t.Fatal(err)
	}
	e.w.Write(tail.Bytes()[run.Len():])
	if err := e.flush(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	b[len(magic)+1] = 1
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli()))
	path := filepath.Join(t.TempDir(), "analysis-1.kume")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkFileHeader(path, kindAnalysis); err != nil {
		t.Fatal(err)
	}
	d, err := readFile(path, kindAnalysis)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAnalysis(d)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.all, want.all) || !reflect.DeepEqual(got.centres, want.centres) ||
		!reflect.DeepEqual(got.run, want.run) || !reflect.DeepEqual(got.clusters, want.clusters) ||
		!reflect.DeepEqual(got.regions, want.regions) {
		t.Error("a version 1 analysis file does not read back as written")
	}
}
