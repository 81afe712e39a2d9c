package geo

import (
	"context"
	"runtime"
	"testing"

	"github.com/kume-geo/kume"
)

// counter is a CellSink that only counts, the cost of computing the rows
// without storing them.
type counter struct{ rows int }

func (c *counter) Begin(int) error { return nil }
func (c *counter) Write(cells []kume.CellStat) error {
	c.rows += len(cells)
	return nil
}

// benchAnalyze runs Analyze on n synthetic firms, or AnalyzeTo with a
// counting sink when streamed.
func benchAnalyze(b *testing.B, n int, streamed bool) {
	s := newSynth(n, 42)
	p := DefaultParams()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var peak uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				default:
				}
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse+ms.StackInuse)
				runtime.Gosched()
				sleepMs(50)
			}
		}()
		var r *kume.AnalysisResult
		var err error
		var c counter
		if streamed {
			r, err = AnalyzeTo(context.Background(), s.input(), p, nil, &c)
		} else {
			r, err = Analyze(context.Background(), s.input(), p, nil)
		}
		close(stop)
		<-done
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peakMB")
		b.ReportMetric(float64(len(r.Cells)+c.rows), "cells")
		b.ReportMetric(float64(len(r.Clusters)), "clusters")
		b.ReportMetric(float64(len(r.Regions)), "regions")
	}
}

// BenchmarkAnalyze1M runs the whole analysis on 1,000,000 synthetic firms.
func BenchmarkAnalyze1M(b *testing.B) { benchAnalyze(b, 1_000_000, false) }

// BenchmarkAnalyze2M runs the whole analysis on 2,000,000 synthetic firms.
func BenchmarkAnalyze2M(b *testing.B) { benchAnalyze(b, 2_000_000, false) }

// BenchmarkAnalyze100k runs the whole analysis on 100,000 synthetic firms.
func BenchmarkAnalyze100k(b *testing.B) { benchAnalyze(b, 100_000, false) }

// BenchmarkAnalyzeTo1M streams the rows of 1,000,000 synthetic firms to a
// sink that only counts them.
func BenchmarkAnalyzeTo1M(b *testing.B) { benchAnalyze(b, 1_000_000, true) }

// BenchmarkAnalyzeTo2M is BenchmarkAnalyzeTo1M at 2,000,000 firms.
func BenchmarkAnalyzeTo2M(b *testing.B) { benchAnalyze(b, 2_000_000, true) }
