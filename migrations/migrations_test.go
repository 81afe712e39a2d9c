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
	if n := tables(t, db); n >= full {
		t.Fatalf("Down left %d of %d tables", n, full)
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
