package postgis

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/store/storetest"
)

// BenchmarkImport compares, in one run, a plain COPY of n rows into a bare
// table (no keys, no indexes) with the store's import of the same rows:
//
//   - new: into an empty dataset (COPY straight into establishments)
//   - update: every row changed, with Replace (staged COPY + set-based upsert)
//   - unchanged: the same rows again (staged COPY + upsert that writes nothing)
//
// It reports seconds per run of each and their ratios to the bare COPY.
// KUME_BENCH_ROWS sets n (default 100000).
func BenchmarkImport(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("KUME_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	rows := storetest.Synthetic("b", n)
	renamed := storetest.Synthetic("b", n)
	for i := range renamed {
		renamed[i].Name += " (renamed)"
	}

	var bare, fresh, update, same time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		bare += timed(b, func() error { return s.copyBare(ctx, rows) })
		d := &kume.Dataset{Name: fmt.Sprintf("bench%d", i)}
		if err := s.CreateDataset(ctx, d); err != nil {
			b.Fatal(err)
		}
		fresh += timed(b, func() error { return s.importRows(ctx, d.ID, kume.ImportOptions{}, rows) })
		update += timed(b, func() error {
			return s.importRows(ctx, d.ID, kume.ImportOptions{Replace: true}, renamed)
		})
		same += timed(b, func() error {
			return s.importRows(ctx, d.ID, kume.ImportOptions{Replace: true}, renamed)
		})
		if err := s.DeleteDataset(ctx, d.ID); err != nil {
			b.Fatal(err)
		}
	}
	runs := float64(b.N)
	b.ReportMetric(bare.Seconds()/runs, "copy-s")
	b.ReportMetric(fresh.Seconds()/runs, "new-s")
	b.ReportMetric(update.Seconds()/runs, "update-s")
	b.ReportMetric(same.Seconds()/runs, "unchanged-s")
	b.ReportMetric(fresh.Seconds()/bare.Seconds(), "new/copy")
	b.ReportMetric(update.Seconds()/bare.Seconds(), "update/copy")
	b.ReportMetric(same.Seconds()/bare.Seconds(), "unchanged/copy")
}

func timed(b *testing.B, fn func() error) time.Duration {
	b.Helper()
	start := time.Now()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

//go:embed queries/bench_create_bare.sql
var benchCreateBareSQL string

//go:embed queries/bench_drop_bare.sql
var benchDropBareSQL string

// copyBare copies rows into a fresh bare table in one transaction, with the
// same row encoding an import uses.
func (s *Store) copyBare(ctx context.Context, rows []kume.Establishment) error {
	if _, err := s.pool.Exec(ctx, benchDropBareSQL); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, benchCreateBareSQL); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		enc := rowEncoder{datasetID: 1, withDataset: true}
		stream := startCopy(ctx, tx.Conn().PgConn(), copySQL("bench_bare", append([]string{"dataset_id"}, importColumns()...)), streamDepth)
		for len(rows) > 0 {
			k := min(len(rows), 10_000)
			b := stream.buffer()
			for i := range rows[:k] {
				var err error
				if b, err = enc.appendRow(b, &rows[i]); err != nil {
					stream.abort()
					return err
				}
			}
			if err := stream.send(ctx, b); err != nil {
				stream.abort()
				return err
			}
			rows = rows[k:]
		}
		_, err := stream.finish(ctx)
		return err
	})
}

// importRows imports rows in batches of 10,000 as the ingest pipeline does.
func (s *Store) importRows(ctx context.Context, datasetID int64, opts kume.ImportOptions, rows []kume.Establishment) error {
	imp, err := s.BeginImport(ctx, datasetID, opts)
	if err != nil {
		return err
	}
	defer imp.Rollback(ctx)
	for len(rows) > 0 {
		k := min(len(rows), 10_000)
		if err := imp.Add(ctx, rows[:k]); err != nil {
			return err
		}
		rows = rows[k:]
	}
	_, err = imp.Commit(ctx)
	return err
}
