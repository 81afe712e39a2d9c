package migrations_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

	if k := relkind(t, db, "cell_stats"); k != "v" {
		t.Fatalf("after Up cell_stats has relkind %q, want a view", k)
	}

	if k := relkind(t, db, "jobs"); k != "r" {
		t.Fatalf("after Up jobs has relkind %q, want a table", k)
	}
	// Down undoes 00011 (see TestDownPrivateAnalysis), then 00010.
	if err := migrations.Down(ctx, db); err != nil {
		t.Fatal(err)
	}
	// Down again undoes 00010: the jobs table goes.
	if err := migrations.Down(ctx, db); err != nil {
		t.Fatal(err)
	}
	if !pending(t, db) {
		t.Fatal("nothing pending after Down")
	}
	var jobs *string
	if err := db.QueryRow(`SELECT to_regclass('jobs')::text`).Scan(&jobs); err != nil || jobs != nil {
		t.Fatalf("after Down jobs is %v (%v), want no table", jobs, err)
	}
	// Down again undoes 00009: the clusters lose the columns of the
	// specialisation test.
	if err := migrations.Down(ctx, db); err != nil {
		t.Fatal(err)
	}
	var cols int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.columns
		WHERE table_name IN ('clusters', 'region_stats') AND column_name IN ('name_tr', 'llr', 'undated')`).Scan(&cols); err != nil || cols != 0 {
		t.Fatalf("after two Downs %d of the columns of 00009 remain (%v)", cols, err)
	}
	if err := migrations.DownTo(ctx, db, 7); err != nil {
		t.Fatal(err)
	}
	if k := relkind(t, db, "cell_stats"); k != "p" {
		t.Fatalf("after DownTo(7) cell_stats has relkind %q, want a partitioned table", k)
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
// them back (with the generated geom again), and that Up again keeps them. It
// stays at version 7, whose tables it inspects.
func TestAnalysisPartitionsKeepRows(t *testing.T) {
	ctx := context.Background()
	db, exec, count := runsAtVersion5(t)
	exec(`INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
			employees_estimated, imprecise, gi_bin, suppressed)
		SELECT v, 9, 'C', i, 29 + i * 0.001, 40, i, 0, i * 2, 0, 0, 0, false
		FROM generate_series(1, 10) i, (VALUES (3), (7)) r (v) WHERE i <= v`)
	exec(`INSERT INTO cell_blocks (version, res, sector, block, data)
		SELECT v, 9, 'C', i, '\x01'::bytea FROM generate_series(1, 4) i, (VALUES (3), (7)) r (v)`)
	checksum := `SELECT sum(version * 1000 + cell * 10 + firms + employees)::int FROM cell_stats`
	want := count(checksum)

	// Version 7 (00008 drops these rows: 1..10 are no H3 cells of res 9).
	if err := migrations.UpTo(ctx, db, 7); err != nil {
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

	if err := migrations.UpTo(ctx, db, 7); err != nil {
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
// runsAtVersion5 returns a database migrated up and then down to version 5
// (before the analysis partitions), with analysis runs 3 and 7, 7 current,
// and its SQL helpers.
func runsAtVersion5(t *testing.T) (db *sql.DB, exec func(query string, args ...any), count func(query string) int) {
	t.Helper()
	ctx := context.Background()
	db = open(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := migrations.DownTo(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	exec, count = sqlHelpers(t, db)
	exec(`INSERT INTO analysis_runs (version, started_at, finished_at) VALUES (3, now(), now()), (7, now(), now())`)
	exec(`INSERT INTO analysis_current (version) VALUES (7)`)
	return db, exec, count
}

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

// cellStatsColumns are the columns of cell_stats with every float as its
// IEEE 754 bits, so that comparisons of rows are bit-exact (NULLs included).
const cellStatsColumns = `version, res, sector, cell, float8send(lon), float8send(lat), firms, closed,
	float8send(employees), float8send(employees_estimated), imprecise, float8send(lq),
	float8send(gi_z), float8send(gi_p), gi_bin, suppressed, institutions`

// keptValid selects the rows of keep that cell blocks hold: valid cells of
// their row's resolution.
const keptValid = `SELECT * FROM keep WHERE lon IS NOT NULL AND ((cell >> 52) & 15) = res`

// blockOf is the SQL of the block of cell at resolution res: its parent at
// res - 3 (0 at least) with the unused digits 7.
const blockOf = `((cell & ~(15::bigint << 52)) | (greatest(res - 3, 0)::bigint << 52)
	| ((1::bigint << (3 * (15 - greatest(res - 3, 0)))) - 1))`

// format1Blocks builds the format 1 cell blocks of the valid kept rows, as
// migration 00004 built them.
const format1Blocks = `SELECT version, res, sector, ` + blockOf + ` AS block,
	'\x01'::bytea || string_agg(
		int8send(cell) || float8send(lon) || float8send(lat) || int4send(firms)
		|| float8send(employees) || int4send(imprecise)
		|| coalesce(float8send(lq), '\x0000000000000000'::bytea)
		|| coalesce(float8send(gi_z), '\x0000000000000000'::bytea)
		|| coalesce(float8send(gi_p), '\x0000000000000000'::bytea)
		|| int2send(gi_bin)
		|| set_byte('\x00'::bytea, 0, (lq IS NOT NULL)::int | ((gi_z IS NOT NULL)::int << 1)
			| ((gi_p IS NOT NULL)::int << 2) | (suppressed::int << 3)),
		''::bytea ORDER BY cell) AS data
FROM (` + keptValid + `) AS k
GROUP BY 1, 2, 3, 4`

// sameRows returns the number of rows that are in one of the queries a and b
// (with duplicates) but not in the other.
func sameRows(count func(string) int, a, b string) int {
	return count(`SELECT count(*) FROM ((` + a + ` EXCEPT ALL ` + b + `) UNION ALL (` + b + ` EXCEPT ALL ` + a + `)) AS d`)
}

// insertCellStats fills the version 7 cell_stats of db with the rows of
// TestCellBlocksOnly: 150 children at res 9 of one res 6 cell in the sectors
// C (half of them with institutions) and N (none), five res 9 cells of
// another block and a res 7 cell in version 3, a res 7 cell in version 7,
// and two rows that blocks cannot hold (lon NULL; a res 9 cell in a res 8 row).
func insertCellStats(exec func(string, ...any)) {
	// 0x8928308280fffff is a res 9 cell of base cell 20 (a hexagon); the
	// digits 7, 8 and 9 of its children under its res 6 parent are bits 18..26.
	exec(`INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
			employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions)
		SELECT 7, 9, s.sector,
			(x'8928308280fffff'::bigint & ~(511::bigint << 18)) | (((k / 49) * 64 + (k / 7 % 7) * 8 + k % 7)::bigint << 18),
			29 + k * 0.001, 41 - k * 0.0007, k + 1, k % 3,
			CASE WHEN k % 10 = 0 THEN 1e6 + 0.25 ELSE k * 1.5 END, k * 0.1, k % 4,
			CASE WHEN k % 3 = 0 THEN NULL WHEN k = 2 THEN '5e-324'::float8 ELSE k * 0.37 END,
			CASE WHEN k % 4 = 0 THEN NULL WHEN k = 1 THEN '-0'::float8 ELSE -1.5 + k * 0.01 END,
			CASE WHEN k % 5 = 0 THEN NULL WHEN k = 7 THEN '1.7976931348623157e308'::float8 ELSE 1.0 / (k + 1) END,
			k % 7 - 3, k % 2 = 0,
			CASE WHEN s.sector = 'C' AND k % 2 = 0 THEN '{"osb": 2, "university": 1}'::jsonb END
		FROM generate_series(0, 149) k, (VALUES ('C'), ('N')) s (sector)`)
	exec(`INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
			employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions)
		SELECT 3, 9, 'G', (x'8928308280fffff'::bigint & ~(4095::bigint << 18)) | (6::bigint << 27) | (k::bigint << 18),
			28.5, 40.5, 1, 0, 1e6 + 0.25, 0.5, 0, NULL, 2.5, 0.01, -3, true, NULL
		FROM generate_series(0, 4) k`)
	exec(`INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
			employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions)
		VALUES (3, 7, 'C', x'872830828ffffff'::bigint, 29.1, 41.2, 12, 1, 40, 3.5, 2, 1.25, -2.75, 0.003, -2, false,
			'{"osb": 2, "university": 1}'),
		(7, 7, 'C', x'872830828ffffff'::bigint, 29.1, 41.2, 13, 0, 41, 0, 0, NULL, NULL, NULL, 0, false, NULL),
		(7, 9, 'C', x'892830828ffffff'::bigint, NULL, NULL, 1, 0, 1, 0, 0, NULL, NULL, NULL, 0, false, NULL),
		(7, 8, 'C', x'8928308280fffff'::bigint, 29, 41, 1, 0, 1, 0, 0, NULL, NULL, NULL, 0, false, NULL)`)
}

// TestCellBlocksOnly checks that migration 00008 packs every valid cell
// statistic into format 2 blocks of 100 consecutive cells, that the view
// cell_stats unpacks them bit for bit, and that its Down restores version 7:
// the partitioned cell_stats with the same rows and the format 1 blocks.
func TestCellBlocksOnly(t *testing.T) {
	ctx := context.Background()
	db, exec, count := runsAtVersion5(t)
	if err := migrations.UpTo(ctx, db, 7); err != nil {
		t.Fatal(err)
	}
	insertCellStats(exec)
	exec(`CREATE TABLE keep AS SELECT * FROM cell_stats`)
	if n := count(`SELECT count(*) FROM (` + keptValid + `) AS k`); n != 307 {
		t.Fatalf("%d valid rows kept, want 307", n)
	}
	valid := `SELECT ` + cellStatsColumns + ` FROM (` + keptValid + `) AS k`
	viewRows := `SELECT ` + cellStatsColumns + ` FROM cell_stats`

	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if k := relkind(t, db, "cell_stats"); k != "v" {
		t.Fatalf("after Up cell_stats has relkind %q, want a view", k)
	}
	if n := sameRows(count, valid, viewRows); n != 0 {
		t.Errorf("after Up the view cell_stats differs from the valid kept rows in %d rows", n)
	}
	for _, v := range []int{3, 7} {
		var storage, options string
		err := db.QueryRow(`SELECT a.attstorage::text, array_to_string(c.reloptions, ',')
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
			WHERE a.attrelid = to_regclass($1) AND a.attname = 'data'`, fmt.Sprintf("cell_blocks_%d", v)).Scan(&storage, &options)
		if err != nil {
			t.Fatal(err)
		}
		if storage != "m" || options != "toast_tuple_target=8160" {
			t.Errorf("cell_blocks_%d: data storage %q, options %q; want m and toast_tuple_target=8160", v, storage, options)
		}
	}
	if n := count(`SELECT count(*) FROM cell_blocks WHERE get_byte(data, 0) <> 2`); n != 0 {
		t.Errorf("%d blocks do not start with format 2", n)
	}
	// Every row is keyed by its first cell, and its cells come before the
	// first cell of the next row of its resolution and sector.
	if n := count(`SELECT count(*) FROM cell_blocks b
		WHERE b.cell <> (SELECT min(cell) FROM cell_block_cells(b.data))`); n != 0 {
		t.Errorf("%d rows are not keyed by their first cell", n)
	}
	if n := count(`SELECT count(*) FROM cell_blocks b
		WHERE (SELECT max(cell) FROM cell_block_cells(b.data)) >= (SELECT min(n.cell) FROM cell_blocks n
			WHERE n.version = b.version AND n.res = b.res AND n.sector = b.sector AND n.cell > b.cell)`); n != 0 {
		t.Errorf("%d rows hold cells after the first cell of the next row", n)
	}
	rows := `SELECT string_agg(cells || ':' || length(data), ' ' ORDER BY cell)
		FROM (SELECT b.cell, b.data, (SELECT count(*) FROM cell_block_cells(b.data)) AS cells
			FROM cell_blocks b WHERE version = 7 AND res = 9 AND sector = $1) AS p`
	for sector, want := range map[string]string{
		"N": "100:7901 50:3951", // 1 + 79 bytes a cell
		"C": "100:9351 50:4676", // and 2 + 27 bytes of institutions every other cell
	} {
		var got string
		if err := db.QueryRow(rows, sector).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("version 7, sector %s: rows (cells:bytes) %s, want %s", sector, got, want)
		}
	}
	if n := count(`SELECT count(*) FROM cell_blocks b
		WHERE length(data) > 7901 AND NOT EXISTS (SELECT FROM cell_block_cells(b.data) WHERE institutions IS NOT NULL)`); n != 0 {
		t.Errorf("%d blocks without institutions are longer than 7,901 bytes", n)
	}

	if err := migrations.DownTo(ctx, db, 7); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"cell_stats", "cell_blocks"} {
		if k := relkind(t, db, table); k != "p" {
			t.Fatalf("after Down %s has relkind %q, want a partitioned table", table, k)
		}
	}
	if n := sameRows(count, valid, viewRows); n != 0 {
		t.Errorf("after Down cell_stats differs from the valid kept rows in %d rows", n)
	}
	if n := sameRows(count, format1Blocks, `SELECT version, res, sector, block, data FROM cell_blocks`); n != 0 {
		t.Errorf("after Down cell_blocks differs from the format 1 blocks of the kept rows in %d rows", n)
	}
	if n := count(`SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
		WHERE i.indisprimary AND c.relname IN ('cell_stats_3', 'cell_stats_7', 'cell_blocks_3', 'cell_blocks_7')`); n != 4 {
		t.Errorf("after Down %d of the 4 partitions have a primary key", n)
	}
	if n := count(`SELECT count(*) FROM pg_attribute
		WHERE attrelid IN (to_regclass('cell_blocks'), to_regclass('cell_blocks_3'), to_regclass('cell_blocks_7'))
			AND attname = 'data' AND attstorage = 'e'`); n != 3 {
		t.Errorf("after Down %d of cell_blocks and its 2 partitions store data EXTERNAL, want 3", n)
	}
	if n := count(`SELECT count(*) FROM pg_proc WHERE proname IN ('cell_block_cells', 'cell_block_float8')`); n != 0 {
		t.Errorf("after Down %d cell block functions are left", n)
	}

	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := sameRows(count, valid, viewRows); n != 0 {
		t.Errorf("after Up again the view cell_stats differs from the valid kept rows in %d rows", n)
	}
}

// TestCellBlockCellsRejectsMalformed checks that the SQL decoder of format 2
// raises an error on a wrong format byte, a truncated record or truncated
// institutions, and returns no rows for an empty block.
func TestCellBlockCellsRejectsMalformed(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	_, count := sqlHelpers(t, db)
	if n := count(`SELECT count(*) FROM cell_block_cells('\x02')`); n != 0 {
		t.Errorf("empty block: %d cells, want none", n)
	}
	// A record of cell 0x8928308280fffff with its flags byte last; 16 sets the
	// flag of institutions.
	record := func(flags int) string {
		return fmt.Sprintf(`(int8send(x'8928308280fffff'::bigint) || float8send(29) || float8send(41)
			|| int4send(3) || int4send(0) || float8send(5) || float8send(0) || int4send(0)
			|| float8send(1.5) || float8send(0) || float8send(0) || int2send(-1::smallint)
			|| set_byte('\x00'::bytea, 0, %d))`, flags)
	}
	if n := count(`SELECT count(*) FROM cell_block_cells('\x02'::bytea || ` + record(1) + ` || ` + record(16) + ` || '\x0002'::bytea || '{}'::bytea)
		WHERE lq = 1.5 AND gi_z IS NULL AND gi_bin = -1`); n != 1 {
		t.Fatalf("well-formed block: %d cells with lq 1.5, no gi_z and gi_bin -1, want 1", n)
	}
	for name, data := range map[string]string{
		"format 1":                 `'\x01'::bytea || ` + record(0),
		"format 3":                 `'\x03'::bytea || ` + record(0),
		"no format byte":           `''::bytea`,
		"truncated record":         `'\x02'::bytea || substring(` + record(0) + ` FROM 1 FOR 78)`,
		"truncated second record":  `'\x02'::bytea || ` + record(0) + ` || '\x00'::bytea`,
		"no institutions length":   `'\x02'::bytea || ` + record(16),
		"half institutions length": `'\x02'::bytea || ` + record(16) + ` || '\x00'::bytea`,
		"truncated institutions":   `'\x02'::bytea || ` + record(16) + ` || '\x000a'::bytea || '{"a": 1}'::bytea`,
	} {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM cell_block_cells(`+data+`)`).Scan(&n)
		if err == nil || !strings.Contains(err.Error(), "cell block:") {
			t.Errorf("%s: got %d cells and error %v, want a cell block error", name, n, err)
		}
	}
}

// TestCellBlockFloat8 checks that cell_block_float8 turns the IEEE 754 bits of
// every kind of float8 back into the same bits, and NULL into NULL.
func TestCellBlockFloat8(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	_, count := sqlHelpers(t, db)
	if n := count(`SELECT count(*) FROM unnest('{0, -0, 5e-324, -2.2250738585072009e-308, 2.2250738585072014e-308,
			1, -1.5, 1000000.25, 0.1, 1.7976931348623157e308, -1.7976931348623157e308, Infinity, -Infinity}'::float8[]) v
		WHERE float8send(cell_block_float8(('x' || encode(float8send(v), 'hex'))::bit(64)::bigint)) <> float8send(v)`); n != 0 {
		t.Errorf("%d floats come back with other bits", n)
	}
	if n := count(`SELECT count(*) FROM (VALUES (cell_block_float8(x'7ff8000000000000'::bigint)),
			(cell_block_float8(x'fff0000000000001'::bigint))) AS v (f) WHERE f = 'NaN'::float8`); n != 2 {
		t.Errorf("%d of 2 NaNs come back as NaN", n)
	}
	if n := count(`SELECT count(*) FROM (VALUES (cell_block_float8(NULL))) AS v (f) WHERE f IS NULL`); n != 1 {
		t.Errorf("NULL comes back as a float")
	}
}
