package postgis_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
)

// benchCells is a synthetic analysis of about n cell statistics in stream
// order, (resolution, sector, cell) ascending, produced batch by batch as an
// analysis produces them: resolutions 5–9, each twice as many cells as the
// one before, 30 sector keys, the "all firms" key in every cell of its
// resolution and each other key in about half of them.
type benchCells struct {
	cells   [][]uint64 // per resolution 5..9, sorted
	sectors []string
	total   int
}

func newBenchCells(n int) *benchCells {
	g := &benchCells{sectors: []string{kume.SectorAll}}
	for i := range 29 {
		g.sectors = append(g.sectors, fmt.Sprintf("C%02d", 10+i))
	}
	// n ≈ Σ universe × (1 + 29/2), universe of resolution r ∝ 2^(r-5).
	unit := float64(n) / (31 * 15.5)
	for r := 5; r <= 9; r++ {
		size := int(unit * float64(int(1)<<(r-5)))
		k := int(math.Ceil(math.Sqrt(float64(size)/3))) + 1
		var cs []uint64
		for _, c := range h3.GridDisk(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, r), k) {
			cs = append(cs, uint64(c))
		}
		slices.Sort(cs)
		g.cells = append(g.cells, cs[:min(size, len(cs))])
	}
	g.each(func([]kume.CellStat) {}, 1<<20)
	return g
}

// keep reports whether the sector with index s has cell c.
func (g *benchCells) keep(s int, c uint64) bool {
	// splitmix64's finalizer of cell and sector.
	z := c + uint64(s)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return s == 0 || (z^z>>31)&1 == 0
}

// each calls fn with the cells in batches of up to size, reusing one batch;
// the first call also counts them.
func (g *benchCells) each(fn func([]kume.CellStat), size int) {
	batch := make([]kume.CellStat, 0, size)
	floats := make([]float64, 3*size)
	n := 0
	for ri, cells := range g.cells {
		for si, sector := range g.sectors {
			for _, c := range cells {
				if !g.keep(si, c) {
					continue
				}
				i := len(batch)
				f := floats[3*i : 3*i+3 : 3*i+3]
				f[0], f[1], f[2] = float64(c%97)/10, float64(c%13)-6, float64(c%101)/100
				batch = append(batch, kume.CellStat{Res: 5 + ri, Cell: c, Sector: sector,
					Firms: int(c % 50), Employees: float64(c % 300), GiBin: int(c%7) - 3,
					LQ: &f[0], GiZ: &f[1], GiP: &f[2], Suppressed: c%11 == 0})
				n++
				if len(batch) == size {
					fn(batch)
					batch = batch[:0]
				}
			}
		}
	}
	if len(batch) > 0 {
		fn(batch)
	}
	g.total = n
}

// all returns every cell in one slice, as an analysis result holds them.
func (g *benchCells) all() []kume.CellStat {
	out := make([]kume.CellStat, 0, g.total)
	floats := make([]float64, 0, 3*g.total)
	g.each(func(b []kume.CellStat) {
		for _, c := range b {
			floats = append(floats, *c.LQ, *c.GiZ, *c.GiP)
			f := floats[len(floats)-3:]
			c.LQ, c.GiZ, c.GiP = &f[0], &f[1], &f[2]
			out = append(out, c)
		}
	}, 1<<16)
	return out
}

// BenchmarkSaveAnalysis saves a synthetic analysis of KUME_BENCH_CELLS cell
// statistics (default 1,000,000) into a fresh database, each loop a new
// version. KUME_BENCH_SAVE chooses how:
//
//   - whole (default): SaveAnalysis of the whole result, built in memory
//     first (as an analysis without streaming holds it)
//   - stream: BeginAnalysis, WriteCells in batches of 1,000,000 built one at
//     a time into one reused batch, Commit
//
// It reports the seconds per save (save-s: for whole without building the
// result, build-s; for stream with building each batch) and the cells saved. Run each way in its own process to compare
// peak memory (e.g. under /usr/bin/time -v).
func BenchmarkSaveAnalysis(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("KUME_BENCH_CELLS")); err == nil && v > 0 {
		n = v
	}
	how := os.Getenv("KUME_BENCH_SAVE")
	ctx := context.Background()
	s := open(b)
	g := newBenchCells(n)
	var build, save time.Duration
	for b.Loop() {
		r := &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}}
		switch how {
		case "", "whole":
			start := time.Now()
			r.Cells = g.all()
			build += time.Since(start)
			start = time.Now()
			if _, err := s.SaveAnalysis(ctx, r); err != nil {
				b.Fatal(err)
			}
			save += time.Since(start)
		case "stream":
			start := time.Now()
			if err := saveStreamed(ctx, s, g, r); err != nil {
				b.Fatal(err)
			}
			save += time.Since(start)
		default:
			b.Fatalf("KUME_BENCH_SAVE=%s: want whole or stream", how)
		}
	}
	b.ReportMetric(build.Seconds()/float64(b.N), "build-s")
	b.ReportMetric(save.Seconds()/float64(b.N), "save-s")
	b.ReportMetric(float64(g.total), "cells")
}

func saveStreamed(ctx context.Context, s *postgis.Store, g *benchCells, r *kume.AnalysisResult) error {
	w, err := s.BeginAnalysis(ctx, g.total)
	if err != nil {
		return err
	}
	defer w.Abort()
	g.each(func(batch []kume.CellStat) {
		if err == nil {
			err = w.WriteCells(ctx, batch)
		}
	}, 1_000_000)
	if err != nil {
		return err
	}
	_, err = w.Commit(ctx, r)
	return err
}
