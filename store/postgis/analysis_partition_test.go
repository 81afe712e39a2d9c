package postgis_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/postgis"
)

// partitionVersions lists the tables attached to table (cell_blocks) and, separately, every table whose name starts with table_,
// attached or not.
func partitionVersions(t *testing.T, conn *pgx.Conn, table string) (attached, all []string) {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass ORDER BY 1`, table)
	if err != nil {
		t.Fatal(err)
	}
	attached, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	rows, err = conn.Query(ctx, `SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE $1 || '\_%' ORDER BY 1`, table)
	if err != nil {
		t.Fatal(err)
	}
	all, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return attached, all
}

func analysisOf(firms int, cells ...uint64) *kume.AnalysisResult {
	r := &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{}`)}}
	for _, c := range cells {
		r.Cells = append(r.Cells, kume.CellStat{Res: 9, Cell: c, Sector: "C", Firms: firms})
	}
	return r
}

// TestAnalysisPartitions: every kept version has one partition of cell_blocks
// (its rows in line: toast_tuple_target 8160, data STORAGE MAIN), pruning
// drops the others with their runs (and a detached partition of cell_stats
// left behind by an interrupted prune of an older schema), and a save that
// fails, before or after its rows are copied, leaves no table behind and the
// previous version current.
func TestAnalysisPartitions(t *testing.T) {
	ctx := context.Background()
	s, conn := openWithConn(t, postgis.WithKeepVersions(2))

	// Valid resolution-9 cells near Ankara, so that they also have blocks.
	var cells []uint64
	for _, c := range h3.GridDisk(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, 9), 1) {
		cells = append(cells, uint64(c))
	}
	slices.Sort(cells)
	var versions []int64
	for firms := 1; firms <= 4; firms++ {
		if firms == 4 {
			// A partition of cell_stats (schema before 00008) detached by
			// a prune that stopped before its drop.
			if _, err := conn.Exec(ctx, `CREATE TABLE cell_stats_99999 (version bigint)`); err != nil {
				t.Fatal(err)
			}
		}
		v, err := s.SaveAnalysis(ctx, analysisOf(firms, cells...))
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	name := func(table string, vs ...int64) []string {
		var out []string
		for _, v := range vs {
			out = append(out, table+"_"+strconv.FormatInt(v, 10))
		}
		slices.Sort(out)
		return out
	}
	attached, all := partitionVersions(t, conn, "cell_blocks")
	want := name("cell_blocks", versions[2:]...)
	if !slices.Equal(attached, want) || !slices.Equal(all, want) {
		t.Errorf("cell_blocks: partitions %v, tables %v, want %v", attached, all, want)
	}
	var left int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname ~ '^cell_stats_'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d cell_stats tables left (%v)", left, err)
	}
	var odd []string
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'data'
		WHERE c.relname ~ '^cell_blocks_' AND c.relkind = 'r'
		  AND (c.reloptions IS DISTINCT FROM '{toast_tuple_target=8160}' OR a.attstorage <> 'm')`)
	if err != nil {
		t.Fatal(err)
	}
	if odd, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(odd) > 0 {
		t.Errorf("partitions without in-line storage: %v (%v)", odd, err)
	}
	var runs []int64
	rows, err = conn.Query(ctx, `SELECT version FROM analysis_runs ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if runs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(runs, versions[2:]) {
		t.Errorf("runs %v, want %v", runs, versions[2:])
	}
	var blocks int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM cell_blocks WHERE version = $1`, versions[3]).Scan(&blocks); err != nil || blocks == 0 {
		t.Errorf("current version has %d blocks (%v)", blocks, err)
	}

	// A duplicate cell is rejected before anything is written; clusters
	// with the same id fail after the cells are in and indexed, just before
	// the attach.
	if _, err := s.SaveAnalysis(ctx, analysisOf(5, cells[0], cells[1], cells[0])); kume.ErrorCode(err) != kume.EINVALID {
		t.Fatalf("save with a duplicate cell: %v, want %s", err, kume.EINVALID)
	}
	twice := analysisOf(6, cells...)
	twice.Clusters = []kume.Cluster{{ID: "a", Sector: "C", Res: 9}, {ID: "a", Sector: "C", Res: 9}}
	for i := range twice.Clusters {
		twice.Clusters[i].Cells = cells[:1]
		twice.Clusters[i].Geometry = orb.MultiPolygon{{{{32.8, 39.9}, {32.9, 39.9}, {32.9, 40}, {32.8, 39.9}}}}
	}
	if _, err := s.SaveAnalysis(ctx, twice); err == nil {
		t.Fatal("save with a cluster id twice succeeded")
	}
	attached, all = partitionVersions(t, conn, "cell_blocks")
	if !slices.Equal(attached, want) || !slices.Equal(all, want) {
		t.Errorf("after the failed saves cell_blocks: partitions %v, tables %v, want %v", attached, all, want)
	}
	cs, err := s.CellStats(ctx, kume.CellFilter{Res: 9, Sector: "C"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(cells) || cs[0].Firms != 4 {
		t.Errorf("after a failed save: %d cells of run %d, want %d of run 4", len(cs), cs[0].Firms, len(cells))
	}
	tc := 0
	err = s.TileCells(ctx, kume.CellFilter{Res: 9, Sector: "C",
		BBox: &orb.Bound{Min: orb.Point{32, 39}, Max: orb.Point{34, 41}}}, func(c *kume.CellStat) error {
		if c.Firms != 4 {
			t.Errorf("tile cell of run %d, want 4", c.Firms)
		}
		tc++
		return nil
	})
	if err != nil || tc != len(cells) {
		t.Errorf("TileCells: %d cells (%v), want %d", tc, err, len(cells))
	}
}

// TestSaveWaitsBesideALongReader: a save whose attach waits for a long read of
// cell_stats does not make new readers queue behind it; it completes once the
// long read ends.
func TestSaveWaitsBesideALongReader(t *testing.T) {
	ctx := context.Background()
	s, long := openWithConn(t)
	var cells []uint64
	for _, c := range h3.GridDisk(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, 9), 1) {
		cells = append(cells, uint64(c))
	}
	slices.Sort(cells)
	if _, err := s.SaveAnalysis(ctx, analysisOf(1, cells...)); err != nil {
		t.Fatal(err)
	}

	tx, err := long.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM cell_stats`).Scan(&n); err != nil {
		t.Fatal(err)
	}

	saved := make(chan error, 1)
	go func() {
		_, err := s.SaveAnalysis(ctx, analysisOf(2, cells...))
		saved <- err
	}()
	// While the save waits for its lock, readers still get the old version.
	for range 5 {
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		cs, err := s.CellStats(rctx, kume.CellFilter{Res: 9, Sector: "C"})
		cancel()
		if err != nil {
			t.Fatalf("a reader during the save's wait: %v", err)
		}
		if len(cs) != len(cells) || cs[0].Firms != 1 {
			t.Fatalf("a reader during the save's wait saw %d cells of run %d", len(cs), cs[0].Firms)
		}
		select {
		case err := <-saved:
			t.Fatalf("the save finished while a reader held cell_stats: %v", err)
		case <-time.After(400 * time.Millisecond):
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-saved; err != nil {
		t.Fatalf("save after the long read ended: %v", err)
	}
	cs, err := s.CellStats(ctx, kume.CellFilter{Res: 9, Sector: "C"})
	if err != nil || len(cs) != len(cells) || cs[0].Firms != 2 {
		t.Fatalf("after the save: %d cells, %v", len(cs), err)
	}
}
