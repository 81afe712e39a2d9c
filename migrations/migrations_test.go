package migrations_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/migrations"
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

func tables(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' AND table_name <> 'goose_db_version'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// relkind returns the pg_class.relkind of the named table ("r" plain, "p" partitioned).
func relkind(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	var k string
	if err := db.QueryRow(`SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)`, table).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

func pending(t *testing.T, db *sql.DB) bool {
	t.Helper()
	p, err := migrations.Pending(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUpDownUp(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if !pending(t, db) {
		t.Fatal("fresh database: nothing pending")
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if pending(t, db) {
		t.Fatal("pending after Up")
	}
	full := tables(t, db)
	if full == 0 {
		t.Fatal("Up created no tables")
	}
	st, err := migrations.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) < 2 {
		t.Fatalf("status lists %d migrations", len(st))
	}
	for _, s := range st {
		if !s.Applied || s.AppliedAt.IsZero() || s.Name == "" {
			t.Errorf("after Up: %+v", s)
		}
	}

	if err := migrations.Down(ctx, db); err != nil {
		t.Fatal(err)
	}
	if !pending(t, db) {
		t.Fatal("nothing pending after Down")
	}
	// Going down step by step: below 00004 cell_blocks is gone, below 00003
	// establishments is a plain table again.
	if err := migrations.DownTo(ctx, db, 3); err != nil {
		t.Fatal(err)
	}
	var blocks *string
	if err := db.QueryRow(`SELECT to_regclass('cell_blocks')::text`).Scan(&blocks); err != nil || blocks != nil {
		t.Fatalf("after DownTo(3) cell_blocks is %v (%v), want no table", blocks, err)
	}
	if err := migrations.DownTo(ctx, db, 2); err != nil {
		t.Fatal(err)
	}
	if k := relkind(t, db, "establishments"); k != "r" {
		t.Fatalf("after DownTo(2) establishments has relkind %q, want a plain table", k)
	}
	if err := migrations.DownTo(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	if n := tables(t, db); n >= full {
		t.Fatalf("DownTo(1) left %d of %d tables", n, full)
	}
	if err := migrations.Reset(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := tables(t, db); n != 0 {
		t.Fatalf("Reset left %d tables", n)
	}
	st, err = migrations.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Applied {
			t.Errorf("after Reset: %+v", s)
		}
	}

	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := tables(t, db); n != full {
		t.Fatalf("second Up made %d tables, first %d", n, full)
	}
	if k := relkind(t, db, "establishments"); k != "p" {
		t.Fatalf("after Up establishments has relkind %q, want a partitioned table", k)
	}
	// Up again is a no-op.
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentUp(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- migrations.Up(ctx, db) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if pending(t, db) {
		t.Fatal("pending after concurrent Up")
	}
}

// TestPartitionKeepsRows checks that migration 00003 moves every establishment
// into its dataset's partition, keeping ids, and that its Down moves them back.
func TestPartitionKeepsRows(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := migrations.DownTo(ctx, db, 2); err != nil {
		t.Fatal(err)
	}
	exec, count := sqlHelpers(t, db)
	exec(`INSERT INTO datasets (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'empty')`)
	exec(`INSERT INTO establishments (id, dataset_id, source_id, name, kind, lon, lat, content_hash)
		SELECT i, 1 + i % 2, 's' || i, 'n', 'firm', 29, 40, i FROM generate_series(1, 10) i`)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM establishments_1`); n != 5 {
		t.Errorf("partition of dataset 1 holds %d rows, want 5", n)
	}
	if n := count(`SELECT count(*) FROM establishments_2 WHERE id % 2 = 1`); n != 5 {
		t.Errorf("partition of dataset 2 holds %d rows with odd ids, want 5", n)
	}
	// New rows take ids after the migrated ones (the sequence hands them out
	// in cached blocks since 00007, so not necessarily the next one).
	exec(`INSERT INTO establishments (dataset_id, source_id, name, kind, lon, lat, content_hash)
		VALUES (1, 'new', 'n', 'firm', 29, 40, 0)`)
	newID := count(`SELECT id FROM establishments WHERE source_id = 'new'`)
	if newID <= 10 {
		t.Errorf("new row got id %d, want one after the migrated 1..10", newID)
	}
	if err := migrations.DownTo(ctx, db, 2); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM establishments`); n != 11 {
		t.Errorf("after Down: %d rows, want 11", n)
	}
	exec(`INSERT INTO establishments (dataset_id, source_id, name, kind, lon, lat, content_hash)
		VALUES (2, 'after', 'n', 'firm', 29, 40, 0)`)
	if n := count(`SELECT id FROM establishments WHERE source_id = 'after'`); n <= newID {
		t.Errorf("row inserted after Down got id %d, want one after %d", n, newID)
	}
}

// TestAnalysisPartitionsKeepRows checks that migration 00006 moves every cell
// statistic and cell block into its version's partition, that its Down moves
// them back (with the generated geom again), and that Up again keeps them.
func TestAnalysisPartitionsKeepRows(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := migrations.DownTo(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	exec, count := sqlHelpers(t, db)
	exec(`INSERT INTO analysis_runs (version, started_at, finished_at) VALUES (3, now(), now()), (7, now(), now())`)
	exec(`INSERT INTO analysis_current (version) VALUES (7)`)
	exec(`INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
			employees_estimated, imprecise, gi_bin, suppressed)
		SELECT v, 9, 'C', i, 29 + i * 0.001, 40, i, 0, i * 2, 0, 0, 0, false
		FROM generate_series(1, 10) i, (VALUES (3), (7)) r (v) WHERE i <= v`)
	exec(`INSERT INTO cell_blocks (version, res, sector, block, data)
		SELECT v, 9, 'C', i, '\x01'::bytea FROM generate_series(1, 4) i, (VALUES (3), (7)) r (v)`)
	checksum := `SELECT sum(version * 1000 + cell * 10 + firms + employees)::int FROM cell_stats`
	want := count(checksum)

	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if k := relkind(t, db, "cell_stats"); k != "p" {
		t.Fatalf("after Up cell_stats has relkind %q, want a partitioned table", k)
	}
	if k := relkind(t, db, "cell_blocks"); k != "p" {
		t.Fatalf("after Up cell_blocks has relkind %q, want a partitioned table", k)
	}
	if n := count(`SELECT count(*) FROM cell_stats_3`); n != 3 {
		t.Errorf("partition of version 3 holds %d cells, want 3", n)
	}
	if n := count(`SELECT count(*) FROM cell_stats_7`); n != 7 {
		t.Errorf("partition of version 7 holds %d cells, want 7", n)
	}
	if n := count(`SELECT count(*) FROM cell_blocks_7`); n != 4 {
		t.Errorf("partition of version 7 holds %d blocks, want 4", n)
	}
	if got := count(checksum); got != want {
		t.Errorf("after Up the cell checksum is %d, want %d", got, want)
	}
	if n := count(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'cell_stats' AND column_name = 'geom'`); n != 0 {
		t.Errorf("after Up cell_stats still has geom")
	}

	if err := migrations.DownTo(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	if k := relkind(t, db, "cell_stats"); k != "r" {
		t.Fatalf("after Down cell_stats has relkind %q, want a plain table", k)
	}
	if got := count(checksum); got != want {
		t.Errorf("after Down the cell checksum is %d, want %d", got, want)
	}
	if n := count(`SELECT count(*) FROM cell_stats WHERE geom IS NOT NULL`); n != 10 {
		t.Errorf("after Down %d cells have a geom, want 10", n)
	}
	if n := count(`SELECT count(*) FROM cell_blocks`); n != 8 {
		t.Errorf("after Down %d blocks, want 8", n)
	}
	// The foreign keys are back: deleting a run deletes its rows.
	exec(`DELETE FROM analysis_runs WHERE version = 3`)
	if n := count(`SELECT count(*) FROM cell_stats`); n != 7 {
		t.Errorf("after deleting run 3: %d cells, want 7", n)
	}

	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM cell_stats_7`); n != 7 {
		t.Errorf("after Up again the partition of version 7 holds %d cells, want 7", n)
	}
	if n := count(`SELECT count(*) FROM cell_blocks_7`); n != 4 {
		t.Errorf("after Up again the partition of version 7 holds %d blocks, want 4", n)
	}
	if n := count(`SELECT count(*) FROM pg_class WHERE relname IN ('cell_stats_3', 'cell_blocks_3')`); n != 0 {
		t.Errorf("after Up again version 3 has %d partitions, want none", n)
	}
}

// sqlHelpers returns functions that run a statement and read one integer on
// db, failing the test on an error.
func sqlHelpers(t *testing.T, db *sql.DB) (exec func(query string, args ...any), count func(query string) int) {
	ctx := context.Background()
	exec = func(query string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	count = func(query string) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	return exec, count
}
