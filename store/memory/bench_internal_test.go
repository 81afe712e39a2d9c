package memory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// benchSynth returns the synthetic analysis of the save benchmarks: about
// 3.1M rows at resolutions 7–9 (the 960k cells under one resolution-2 cell,
// each in the all-sector group and in 11% of 20 other sectors' groups).
func benchSynth() *synthCells { return newSynthCells(2, 21, 0.107) }

// BenchmarkSaveAnalysis compares saving ~3.1M cell statistics to a data
// directory whole (saveOwned of the result as geo.Analyze holds it)
// with streaming them in batches of 1<<20 rows into one reused buffer, as
// geo.Analyze does. Both include making the rows; each op opens a fresh
// directory (untimed). Run the two in separate processes to compare their
// peak RSS:
//
//	go test ./store/memory/ -run XXX -bench 'SaveAnalysis/Owned' -benchtime 1x -benchmem
//	go test ./store/memory/ -run XXX -bench 'SaveAnalysis/Stream' -benchtime 1x -benchmem
func BenchmarkSaveAnalysis(b *testing.B) {
	ctx := context.Background()
	g := benchSynth()
	rows := g.count()
	fresh := func(b *testing.B) (*Store, string) {
		b.StopTimer()
		defer b.StartTimer()
		dir, err := os.MkdirTemp(b.TempDir(), "op")
		if err != nil {
			b.Fatal(err)
		}
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		return s, dir
	}
	done := func(b *testing.B, s *Store, dir string) {
		b.StopTimer()
		defer b.StartTimer()
		info, err := os.Stat(filepath.Join(dir, s.snapshot().slot("").file))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(info.Size()), "file-B")
		s.Close()
		os.RemoveAll(dir)
	}
	b.Run("Owned", func(b *testing.B) {
		for range b.N {
			s, dir := fresh(b)
			r := synthTail()
			r.Cells = g.all()
			if _, err := s.saveOwned(ctx, r); err != nil {
				b.Fatal(err)
			}
			done(b, s, dir)
		}
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("Stream", func(b *testing.B) {
		for range b.N {
			s, dir := fresh(b)
			streamSynth(b, s, g, 1<<20, synthTail())
			done(b, s, dir)
		}
		b.ReportMetric(float64(rows), "rows")
	})
}

// BenchmarkDecodeAnalysis reads back the file of BenchmarkSaveAnalysis:
// Whole decodes all of it (as files without a group index are, on first
// read); FirstRead is the first read after Open or after a streamed commit
// of one group, the largest (all sectors at resolution 9, ~820k rows) or a
// sector's at resolution 8 (~12k rows): the checksum of the whole file, the
// run, clusters, regions and index, and that group. Centres computes the
// centres of all the cells, which the file does not store. retained-B is the
// heap the result holds after a GC. Run each in its own process to compare
// peak RSS:
//
//	go test ./store/memory/ -run XXX -bench 'DecodeAnalysis/Whole' -benchtime 3x
//	go test ./store/memory/ -run XXX -bench 'DecodeAnalysis/FirstRead' -benchtime 3x
func BenchmarkDecodeAnalysis(b *testing.B) {
	g := benchSynth()
	dir := b.TempDir()
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	streamSynth(b, s, g, 1<<20, synthTail())
	path := s.snapshot().slot("").lazy.path
	s.Close()
	retained := func(b *testing.B, read func() any) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.ResetTimer()
		var keep any
		for range b.N {
			keep = nil
			keep = read()
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(keep)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)), "retained-B")
	}
	b.Run("Whole", func(b *testing.B) {
		retained(b, func() any {
			d, err := readFile(path, kindAnalysis)
			if err != nil {
				b.Fatal(err)
			}
			a, err := decodeAnalysis(d)
			if err != nil {
				b.Fatal(err)
			}
			return a
		})
	})
	for _, grp := range []cellGroup{{9, ""}, {8, "13"}} {
		b.Run(fmt.Sprintf("FirstRead/res%d-sector%q", grp.res, grp.sector), func(b *testing.B) {
			retained(b, func() any {
				l, err := openLazyAnalysis(path)
				if err != nil {
					b.Fatal(err)
				}
				a, err := l.get()
				if err != nil {
					b.Fatal(err)
				}
				set, err := a.cellSet(grp)
				if err != nil || set == nil {
					b.Fatal(set, err)
				}
				b.ReportMetric(float64(len(set.stats)), "group-rows")
				return a
			})
		})
	}
	b.Run("Centres", func(b *testing.B) {
		cells := g.all()
		var groups [][2]int
		for i := 0; i < len(cells); {
			j := i + 1
			for j < len(cells) && cells[j].Res == cells[i].Res && cells[j].Sector == cells[i].Sector {
				j++
			}
			groups = append(groups, [2]int{i, j})
			i = j
		}
		b.ResetTimer()
		for range b.N {
			cellCentres(cells, groups)
		}
	})
}
