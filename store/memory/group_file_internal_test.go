package memory

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// flatten returns every cell statistic of a, in (resolution, sector, cell)
// order, their centres and the number of groups.
func flatten(t testing.TB, a *analysis) ([]kume.CellStat, []orb.Point, int) {
	t.Helper()
	var cells []kume.CellStat
	var centres []orb.Point
	groups := 0
	err := a.eachGroup(func(set *cellSet) error {
		cells, centres = append(cells, set.stats...), append(centres, set.centres...)
		groups++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cells, centres, groups
}

// streamedStore returns a persisted store holding a streamed analysis of g,
// unread, and the path of its file.
func streamedStore(t *testing.T, g *synthCells) (*Store, string) {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	streamSynth(t, s, g, 40_000, synthTail())
	return s, s.snapshot().slot("").lazy.path
}

// wholeDecode decodes the analysis file at path whole, as files without a
// group index are.
func wholeDecode(t testing.TB, path string) *analysis {
	t.Helper()
	d, err := readFile(path, kindAnalysis)
	if err != nil {
		t.Fatal(err)
	}
	a, err := decodeAnalysis(d)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sameSet compares a group read one at a time with the whole decode's.
func sameSet(t *testing.T, g cellGroup, got, want *cellSet) {
	t.Helper()
	if got == nil || want == nil {
		t.Fatalf("group %v: got %v, want %v", g, got, want)
	}
	if !reflect.DeepEqual(got.stats, want.stats) || !reflect.DeepEqual(got.centres, want.centres) {
		t.Fatalf("group %v: %d rows differ from the whole decode's %d", g, len(got.stats), len(want.stats))
	}
}

func TestReadOneGroupDecodesOnlyIt(t *testing.T) {
	ctx := t.Context()
	g := newSynthCells(3, 20, 0.05)
	s, path := streamedStore(t, g)
	want := wholeDecode(t, path)
	if len(want.cells) != 60 {
		t.Fatalf("%d groups, want 60", len(want.cells))
	}
	got, err := s.CellStats(ctx, kume.CellFilter{Res: 8, Sector: "13"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.snapshot().currentAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	if a.src == nil || a.all != nil || len(a.cells) != 0 {
		t.Fatal("the analysis was decoded whole")
	}
	if n := a.src.decoded.Load(); n != 1 {
		t.Fatalf("reading one group decoded %d", n)
	}
	if exp := want.cells[cellGroup{8, "13"}].stats; !reflect.DeepEqual(got, exp) {
		t.Fatalf("CellStats gave %d rows, the whole decode %d", len(got), len(exp))
	}
	if !reflect.DeepEqual(a.run, want.run) || !reflect.DeepEqual(a.clusters, want.clusters) ||
		!reflect.DeepEqual(a.regions, want.regions) || !reflect.DeepEqual(a.bounds, want.bounds) {
		t.Error("run, clusters or regions differ from the whole decode's")
	}
	// Every group, and one of none.
	for grp, exp := range want.cells {
		set, err := a.cellSet(grp)
		if err != nil {
			t.Fatal(err)
		}
		sameSet(t, grp, set, exp)
	}
	if n := a.src.decoded.Load(); n != 60 {
		t.Errorf("reading every group once decoded %d groups, want 60", n)
	}
	if set, err := a.cellSet(cellGroup{8, "nope"}); set != nil || err != nil {
		t.Errorf("a group that does not exist: %v, %v", set, err)
	}
	// A filter by box reads the same group's centres.
	box := orb.Bound{Min: want.cells[cellGroup{9, ""}].centres[0], Max: want.cells[cellGroup{9, ""}].centres[0]}
	if got, err := s.CellStats(ctx, kume.CellFilter{Res: 9, BBox: &box}); err != nil || len(got) != 1 {
		t.Errorf("CellStats in the box of one centre: %d rows, %v", len(got), err)
	}
}

func TestGroupCacheIsBounded(t *testing.T) {
	g := newSynthCells(3, 20, 0.05)
	_, path := streamedStore(t, g)
	want := wholeDecode(t, path)
	l, err := openLazyAnalysis(path)
	if err != nil {
		t.Fatal(err)
	}
	big := cellGroup{9, ""}
	l.budget = 3 * int64(len(want.cells[big].stats)) * rowBytes / 2
	a, err := l.get()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for grp, exp := range want.cells {
			set, err := a.cellSet(grp)
			if err != nil {
				t.Fatal(err)
			}
			sameSet(t, grp, set, exp)
			if a.src.cached > l.budget && a.src.lru.Len() > 1 {
				t.Fatalf("%d bytes cached in %d groups, over the budget of %d", a.src.cached, a.src.lru.Len(), l.budget)
			}
		}
	}
	if n := a.src.decoded.Load(); n <= 60 {
		t.Errorf("%d groups decoded reading 60 twice under a small budget: nothing was evicted", n)
	}
	// Within the budget, a group read again is not decoded again.
	n := a.src.decoded.Load()
	if _, err := a.cellSet(cellGroup{7, "13"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.cellSet(cellGroup{7, "13"}); err != nil {
		t.Fatal(err)
	}
	if d := a.src.decoded.Load() - n; d > 1 {
		t.Errorf("one group read twice was decoded %d times", d)
	}
}

func TestConcurrentGroupReads(t *testing.T) {
	g := newSynthCells(4, 10, 0.3)
	_, path := streamedStore(t, g)
	want := wholeDecode(t, path)
	groups := slices.Collect(maps.Keys(want.cells))
	for _, budget := range []int64{defaultGroupCacheBytes, 256 << 10} {
		l, err := openLazyAnalysis(path)
		if err != nil {
			t.Fatal(err)
		}
		l.budget = budget
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := range 4 {
			wg.Go(func() {
				a, err := l.get()
				if err != nil {
					errs <- err
					return
				}
				for k := range len(groups) {
					grp := groups[(w*11+k)%len(groups)]
					set, err := a.cellSet(grp)
					if err != nil {
						errs <- err
						return
					}
					exp := want.cells[grp]
					if !reflect.DeepEqual(set.stats, exp.stats) || !reflect.DeepEqual(set.centres, exp.centres) {
						errs <- fmt.Errorf("group %v differs from the whole decode", grp)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if a := l.loaded(); budget == defaultGroupCacheBytes && a.src.decoded.Load() != int64(len(groups)) {
			t.Errorf("%d readers decoded %d groups of %d: a group was decoded twice", 4, a.src.decoded.Load(), len(groups))
		}
	}
}

// TestOldSnapshotReadsItsRemovedFile reads the analysis of a snapshot, and
// the previous version, after a newer analysis has replaced and removed
// their file.
func TestOldSnapshotReadsItsRemovedFile(t *testing.T) {
	ctx := t.Context()
	g := newSynthCells(3, 20, 0.05)
	s, path := streamedStore(t, g)
	want := wholeDecode(t, path)
	old := s.snapshot()
	if _, err := s.Clusters(ctx, kume.ClusterFilter{}); err != nil { // read: kept as the previous version
		t.Fatal(err)
	}
	prev := old.slot("").lazy.loaded().run.Version
	streamSynth(t, s, newSynthCells(4, 3, 0.5), 40_000, synthTail())
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the replaced file is still there: %v", err)
	}
	a, err := old.currentAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	grp := cellGroup{9, "13"}
	set, err := a.cellSet(grp)
	if err != nil {
		t.Fatal(err)
	}
	sameSet(t, grp, set, want.cells[grp])
	got, err := s.CellStats(ctx, kume.CellFilter{Version: prev, Res: 8, Sector: "vc:textiles"})
	if err != nil || !reflect.DeepEqual(got, want.cells[cellGroup{8, "vc:textiles"}].stats) {
		t.Errorf("the previous version's group: %d rows, %v", len(got), err)
	}
	// An unread snapshot, replaced and removed before anything read it.
	s2, path2 := streamedStore(t, g)
	unread := s2.snapshot()
	streamSynth(t, s2, newSynthCells(4, 3, 0.5), 40_000, synthTail())
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Fatalf("the replaced file is still there: %v", err)
	}
	a, err = unread.currentAnalysis()
	if err != nil {
		t.Fatalf("an old snapshot read after its file was removed: %v", err)
	}
	if set, err = a.cellSet(grp); err != nil {
		t.Fatal(err)
	}
	sameSet(t, grp, set, want.cells[grp])
}

// TestDamagedGroupIndex rewrites a valid checksum over damaged group
// indexes: the first read fails naming the file, and Open still works.
func TestDamagedGroupIndex(t *testing.T) {
	ctx := t.Context()
	g := newSynthCells(4, 5, 0.3)
	cases := map[string]func(b []byte, indexAt int) []byte{
		"FooterBeyondFile": func(b []byte, _ int) []byte {
			binary.LittleEndian.PutUint64(b[len(b)-footerLen:], 1<<40)
			return b
		},
		"FooterIntoCells": func(b []byte, _ int) []byte {
			binary.LittleEndian.PutUint64(b[len(b)-footerLen:], uint64(headerLen+3))
			return b
		},
		"CellsEndMoved": func(b []byte, at int) []byte { b[at]++; return b },
		"GroupRows": func(b []byte, _ int) []byte {
			// The rows of the last group, the last varint before the footer.
			b[len(b)-footerLen-1]++
			return b
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			streamSynth(t, s, g, 40_000, synthTail())
			path := s.snapshot().slot("").lazy.path
			s.Close()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			body := data[:len(data)-trailerLen]
			at := int(binary.LittleEndian.Uint64(body[len(body)-footerLen:]))
			body = damage(body, at)
			data = binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli()))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err = Open(dir)
			if err != nil {
				t.Fatalf("Open with a damaged group index: %v", err)
			}
			defer s.Close()
			_, err = s.CellStats(ctx, kume.CellFilter{Res: 9})
			if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, errCorrupt) {
				t.Errorf("CellStats with a damaged group index: %v; want an error naming %s", err, path)
			}
		})
	}
}

// TestReadAnalysisVersion2 cuts the group index off a file, making it one of
// format version 2, which is read and decoded whole.
func TestReadAnalysisVersion2(t *testing.T) {
	g := newSynthCells(4, 5, 0.3)
	_, path := streamedStore(t, g)
	want := wholeDecode(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A version 2 file is the cells and a tail of the version 2 layout.
	body := data[:len(data)-trailerLen]
	xd := &decoder{s: string(body), off: int(binary.LittleEndian.Uint64(body[len(body)-footerLen:])), version: analysisVersion}
	cellsEnd := decodeGroupIndex(xd).cellsEnd
	var tail bytes.Buffer
	te := newEncoder(&tail, kindAnalysis)
	encodeTail(te, 2, &want.run, want.clusters, want.regions)
	if err := te.flush(); err != nil {
		t.Fatal(err)
	}
	body = append(slices.Clone(body[:cellsEnd]), tail.Bytes()[headerLen:]...)
	body[len(magic)+1] = 2
	v2 := filepath.Join(t.TempDir(), "analysis-2.kume")
	if err := os.WriteFile(v2, binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli())), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := openLazyAnalysis(v2)
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.get()
	if err != nil {
		t.Fatal(err)
	}
	if a.src != nil || len(a.cells) != len(want.cells) {
		t.Fatalf("a version 2 file: %d groups decoded whole (src %v), want %d", len(a.cells), a.src, len(want.cells))
	}
	for grp, exp := range want.cells {
		set, err := a.cellSet(grp)
		if err != nil {
			t.Fatal(err)
		}
		sameSet(t, grp, set, exp)
	}
}

// TestReadersDuringStreamedSaves reads groups of the version each reader
// saw last while streamed saves replace it and remove its file: every read
// gives that version's rows or, for a version no longer kept, ENOTFOUND.
func TestReadersDuringStreamedSaves(t *testing.T) {
	ctx := t.Context()
	gens := []*synthCells{newSynthCells(4, 6, 0.3), newSynthCells(4, 4, 0.5), newSynthCells(4, 8, 0.2)}
	wants := make([]*analysis, len(gens)) // the rows of each generator, indexed
	for i, g := range gens {
		a, err := newAnalysis(&kume.AnalysisResult{Cells: g.all()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wants[i] = a
	}
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Save i is version first+i, of generator i mod 3.
	first := streamSynth(t, s, gens[0], 20_000, synthTail())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	reads := make([]int, 4)
	for r := range 4 {
		wg.Go(func() {
			grps := []cellGroup{{7, ""}, {8, "13"}, {9, "vc:textiles"}, {9, ""}}
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				run, err := s.LatestAnalysis(ctx)
				if err != nil {
					errs <- err
					return
				}
				grp := grps[(r+k)%len(grps)]
				got, err := s.CellStats(ctx, kume.CellFilter{Version: run.Version, Res: grp.res, Sector: grp.sector})
				if kume.ErrorCode(err) == kume.ENOTFOUND {
					continue // two saves since LatestAnalysis
				}
				if err != nil {
					errs <- err
					return
				}
				var rows []kume.CellStat
				if exp := wants[(run.Version-first)%int64(len(gens))].cells[grp]; exp != nil {
					rows = exp.stats
				}
				if len(got) != len(rows) || (len(rows) > 0 && !reflect.DeepEqual(got, rows)) {
					errs <- fmt.Errorf("version %d, group %v: %d rows, want %d", run.Version, grp, len(got), len(rows))
					return
				}
				reads[r]++
			}
		})
	}
	for i := 1; i <= 6; i++ {
		if v := streamSynth(t, s, gens[i%len(gens)], 20_000, synthTail()); v != first+int64(i) {
			t.Fatalf("save %d is version %d, want %d", i, v, first+int64(i))
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for r, n := range reads {
		if n == 0 {
			t.Errorf("reader %d read nothing", r)
		}
	}
}
