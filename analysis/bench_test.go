package analysis_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
)

// BenchmarkRunStore runs whole analyses (open the store, stream the
// establishments, geo.Analyze, save) against an existing store, logging the
// time of every stage at debug level on stderr. It needs
// KUME_BENCH_STORE=DIR (embedded store) or KUME_BENCH_DB=URL (PostGIS) with
// data already imported, e.g. by kume gen-demo and kume import; each
// iteration saves a new data version there. docs/BENCHMARKS.md has the
// numbers.
func BenchmarkRunStore(b *testing.B) {
	dir, url := os.Getenv("KUME_BENCH_STORE"), os.Getenv("KUME_BENCH_DB")
	if dir == "" && url == "" {
		b.Skip("set KUME_BENCH_STORE or KUME_BENCH_DB to a store with imported data")
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tax, err := nace.New()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		started := time.Now()
		var st kume.Store
		if dir != "" {
			st, err = memory.Open(dir)
		} else {
			st, err = postgis.Open(ctx, url)
		}
		if err != nil {
			b.Fatal(err)
		}
		log.Debug("store opened", "seconds", time.Since(started).Seconds())
		r, err := analysis.New(st, tax, analysis.Config{Params: geo.DefaultParams(), Log: log})
		if err != nil {
			b.Fatal(err)
		}
		res, err := r.Run(ctx, kume.AnalysisPublic)
		if err != nil {
			b.Fatal(err)
		}
		closing := time.Now()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		log.Debug("store closed", "seconds", time.Since(closing).Seconds(), "cells", r.Status().Cells, "version", res.Run.Version,
			"total_seconds", time.Since(started).Seconds())
	}
}
