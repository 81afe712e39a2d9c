package geo_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/synth"
	"github.com/kume-geo/kume/valuechain"
)

// BenchmarkEmergingChains1M runs the emerging hot spot analysis of every
// value chain of the shipped definitions at resolutions 6, 7 and 8 over
// 1,000,000 generated firms (seeded, synthetic, with the planted patterns),
// yearly steps 2015–2024, k = 1, window 1, FDR: one grid per resolution
// shared by the chains, two chains analysed at a time. Generating the
// firms is not timed. It reports the bins and cells analysed, the peak Go
// heap in use during the analysis and the process's peak RSS (VmHWM, which
// includes the generated data).
//
//	go test ./geo/ -run '^$' -bench EmergingChains1M -benchtime 1x
func BenchmarkEmergingChains1M(b *testing.B) { benchEmergingChains(b, 1_000_000) }

// BenchmarkEmergingChains100k is BenchmarkEmergingChains1M on 100,000 firms.
func BenchmarkEmergingChains100k(b *testing.B) { benchEmergingChains(b, 100_000) }

func benchEmergingChains(b *testing.B, n int) {
	g := generate(b, synth.Config{Firms: n, Seed: 42, Patterns: true})
	chains, err := valuechain.Default()
	if err != nil {
		b.Fatal(err)
	}
	tax, err := nace.New()
	if err != nil {
		b.Fatal(err)
	}
	m, err := valuechain.NewMatcher(chains, tax)
	if err != nil {
		b.Fatal(err)
	}
	members := map[string][]geo.DatedFirm{}
	for i, code := range g.nace {
		for _, ms := range m.Match(code) {
			members[ms.Chain] = append(members[ms.Chain], g.firms[i])
		}
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	p := plantedParams(b)
	b.ResetTimer()
	for range b.N {
		stop := heapPeak()
		start := time.Now()
		var bins, cells, patterns int
		for _, res := range []int{6, 7, 8} {
			var all []uint64
			for _, k := range keys {
				for _, f := range members[k] {
					all = append(all, geo.CellParent(f.Cell, res))
				}
			}
			grid, err := geo.NewEmergingGrid(all, res, p.K)
			if err != nil {
				b.Fatal(err)
			}
			var mu sync.Mutex
			work := make(chan string)
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range work {
						r, err := grid.Analyze(context.Background(), members[k], p)
						if err != nil {
							b.Error(err)
							continue
						}
						mu.Lock()
						bins += r.NBins
						cells += len(r.Cells)
						for _, c := range r.Category {
							if c != geo.NoPattern {
								patterns++
							}
						}
						mu.Unlock()
					}
				}()
			}
			for _, k := range keys {
				work <- k
			}
			close(work)
			wg.Wait()
		}
		elapsed := time.Since(start)
		peak := stop()
		b.ReportMetric(elapsed.Seconds(), "s/analysis")
		b.ReportMetric(float64(len(keys)), "chains")
		b.ReportMetric(float64(bins), "bins")
		b.ReportMetric(float64(cells), "cells")
		b.ReportMetric(float64(patterns), "patterned-cells")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(vmHWM())/(1<<10), "peak-rss-MB")
	}
}

// heapPeak samples the Go heap in use until the returned function is
// called, which returns the largest sample.
func heapPeak() func() uint64 {
	var peak uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse+ms.StackInuse)
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak
	}
}

// vmHWM returns the process's peak resident set in kB (0 where /proc is
// missing).
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
