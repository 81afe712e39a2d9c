package postgis

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume/internal/pgtest"
)

// TestOrphanCleanupSkipsRunningSave: the cleanup of orphan partitions leaves
// an unattached cell_blocks table alone while a save holds its version's
// lock (as a save does between its second connection's commit and its own),
// and drops it once the lock is gone.
func TestOrphanCleanupSkipsRunningSave(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exists := func() bool {
		t.Helper()
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass('cell_blocks_41') IS NOT NULL`).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}

	saving, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer saving.Rollback(ctx)
	if _, err := saving.Exec(ctx, analysisLockVersionSQL, int64(41)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE cell_blocks_41 (LIKE cell_blocks)`); err != nil {
		t.Fatal(err)
	}
	if err := s.dropOrphanPartitions(ctx); err != nil {
		t.Fatal(err)
	}
	if !exists() {
		t.Fatal("the cleanup dropped the table of a running save")
	}
	if err := saving.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.dropOrphanPartitions(ctx); err != nil {
		t.Fatal(err)
	}
	if exists() {
		t.Fatal("the cleanup left the table of a save that ended")
	}
}
