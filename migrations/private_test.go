package migrations_test

import (
	"context"
	"testing"

	"github.com/kume-geo/kume/migrations"
)

// TestDownPrivateAnalysis undoes migration 00011 over analyses of two
// scopes: the grants go, and so do the analysis of the other scope than the
// public one and its cell blocks; the public analysis stays current.
func TestDownPrivateAnalysis(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if k := relkind(t, db, "api_key_grants"); k != "r" {
		t.Fatalf("after Up api_key_grants has relkind %q, want a table", k)
	}
	for _, q := range []string{
		`INSERT INTO analysis_runs (version, started_at, finished_at, scope) VALUES (1, now(), now(), 'public'), (2, now(), now(), 'all')`,
		`INSERT INTO analysis_current (scope, version) VALUES ('public', 1), ('all', 2)`,
		`CREATE TABLE cell_blocks_2 (LIKE cell_blocks)`,
		`ALTER TABLE cell_blocks ATTACH PARTITION cell_blocks_2 FOR VALUES IN (2)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := migrations.Down(ctx, db); err != nil {
		t.Fatal(err)
	}
	var grants, part *string
	var current, runs int64
	err := db.QueryRow(`SELECT to_regclass('api_key_grants')::text, to_regclass('cell_blocks_2')::text,
		(SELECT version FROM analysis_current WHERE singleton), (SELECT count(*) FROM analysis_runs)`).Scan(&grants, &part, &current, &runs)
	if err != nil || grants != nil || part != nil || current != 1 || runs != 1 {
		t.Fatalf("after Down of 00011: grants %v, partition of scope all %v, current version %d, %d runs (%v)", grants, part, current, runs, err)
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatalf("Up again: %v", err)
	}
}
