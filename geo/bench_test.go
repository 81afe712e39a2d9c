package geo

import (
	"context"
	"runtime"
	"testing"
)

func benchAnalyze(b *testing.B, n int) {
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
		r, err := Analyze(context.Background(), s.input(), p, nil)
		close(stop)
		<-done
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peakMB")
		b.ReportMetric(float64(len(r.Cells)), "cells")
		b.ReportMetric(float64(len(r.Clusters)), "clusters")
		b.ReportMetric(float64(len(r.Regions)), "regions")
	}
}

// BenchmarkAnalyze1M runs the whole analysis on 1,000,000 synthetic firms.
func BenchmarkAnalyze1M(b *testing.B) { benchAnalyze(b, 1_000_000) }

// BenchmarkAnalyze2M runs the whole analysis on 2,000,000 synthetic firms.
func BenchmarkAnalyze2M(b *testing.B) { benchAnalyze(b, 2_000_000) }

// BenchmarkAnalyze100k runs the whole analysis on 100,000 synthetic firms.
func BenchmarkAnalyze100k(b *testing.B) { benchAnalyze(b, 100_000) }
