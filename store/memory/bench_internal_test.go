package memory

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// benchSynth returns the synthetic analysis of the save benchmarks: about
// 3.1M rows at resolutions 7–9 (the 960k cells under one resolution-2 cell,
// each in the all-sector group and in 11% of 20 other sectors' groups).
func benchSynth() *synthCells { return newSynthCells(2, 21, 0.107) }

// BenchmarkSaveAnalysis compares saving ~3.1M cell statistics to a data
// directory whole (SaveAnalysisOwned of the result as geo.Analyze holds it)
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
		info, err := os.Stat(filepath.Join(dir, s.snapshot().analysisFile))
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
			if _, err := s.SaveAnalysisOwned(ctx, r); err != nil {
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

// BenchmarkDecodeAnalysis reads back the file of BenchmarkSaveAnalysis (as
// the first read after Open or after a streamed commit does), and separately
// the part of it that computes the cells' centres, which the file does not
// store.
func BenchmarkDecodeAnalysis(b *testing.B) {
	g := benchSynth()
	dir := b.TempDir()
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	streamSynth(b, s, g, 1<<20, synthTail())
	path := s.snapshot().lazy.path
	s.Close()
	b.Run("File", func(b *testing.B) {
		for range b.N {
			l := &lazyAnalysis{path: path}
			if _, err := l.get(); err != nil {
				b.Fatal(err)
			}
		}
	})
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
