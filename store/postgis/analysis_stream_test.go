package postgis_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/store/postgis"
)

// TestAnalysisStreamKilled: a stream that dies midway (its connection
// dropped, its context canceled, or the process of an older build gone after
// its cell_blocks table was committed) leaves the previous version current
// and readable, and after the next save no table that is not an attached
// partition.
func TestAnalysisStreamKilled(t *testing.T) {
	ctx := context.Background()
	s, conn := openWithConn(t)

	// Enough valid resolution-9 cells near Ankara that the COPY sends rows
	// before the stream ends.
	var cells []uint64
	for _, c := range h3.GridDisk(h3.LatLngToCell(h3.LatLng{Lat: 39.9, Lng: 32.8}, 9), 60) {
		cells = append(cells, uint64(c))
	}
	slices.Sort(cells)
	v1, err := s.SaveAnalysis(ctx, analysisOf(1, cells...))
	if err != nil {
		t.Fatal(err)
	}
	current := func(what string) {
		t.Helper()
		run, err := s.LatestAnalysis(ctx)
		if err != nil || run.Version != v1 {
			t.Fatalf("%s: current run %+v (%v), want version %d", what, run, err, v1)
		}
		cs, err := s.CellStats(ctx, kume.CellFilter{Res: 9, Sector: "C"})
		if err != nil || len(cs) != len(cells) || cs[0].Firms != 1 {
			t.Fatalf("%s: %d cells (%v), want %d of the first run", what, len(cs), err, len(cells))
		}
	}
	// half writes the first half of a new analysis's cells.
	half := func(ctx context.Context, firms int) kume.AnalysisWriter {
		t.Helper()
		w, err := s.BeginAnalysis(ctx, len(cells))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteCells(ctx, analysisOf(firms, cells[:len(cells)/2]...).Cells); err != nil {
			t.Fatal(err)
		}
		return w
	}
	rest := func(ctx context.Context, w kume.AnalysisWriter, firms int) error {
		err := w.WriteCells(ctx, analysisOf(firms, cells[len(cells)/2:]...).Cells)
		if err == nil {
			_, err = w.Commit(ctx, analysisOf(firms))
		}
		return err
	}

	t.Run("ConnectionDropped", func(t *testing.T) {
		w := half(ctx, 2)
		defer w.Abort()
		// The COPY runs as soon as the stream has begun; the server may
		// take a moment to show it.
		var killed int
		for try := 0; killed < 1 && try < 100; try++ {
			var n int
			err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'COPY %'`).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			killed += n
			time.Sleep(50 * time.Millisecond)
		}
		if killed != 1 {
			t.Fatalf("terminated %d COPYs, want 1", killed)
		}
		current("stream's connection dropped")
		if err := rest(ctx, w, 2); err == nil {
			t.Fatal("a stream whose connection was dropped committed")
		}
		w.Abort()
		current("after the dropped stream")
	})
	t.Run("Canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		w := half(cctx, 3)
		defer w.Abort()
		cancel()
		if err := rest(cctx, w, 3); !errors.Is(err, context.Canceled) {
			t.Fatalf("a canceled stream: %v, want context.Canceled", err)
		}
		current("after the canceled stream")
	})
	t.Run("CrashBeforeCommit", func(t *testing.T) {
		// What a save of an older build that died in its commit left: the
		// next version's cell_blocks table, committed and unattached.
		dv, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		next := "cell_blocks_" + strconv.FormatInt(dv+1, 10)
		if _, err := conn.Exec(ctx, `CREATE TABLE `+next+` (LIKE cell_blocks)`); err != nil {
			t.Fatal(err)
		}
		current("after the crash")
	})

	// The next save takes the version of the unfinished ones and commits.
	w := half(ctx, 4)
	defer w.Abort()
	if err := rest(ctx, w, 4); err != nil {
		t.Fatalf("the save after the killed streams: %v", err)
	}
	cs, err := s.CellStats(ctx, kume.CellFilter{Res: 9, Sector: "C"})
	if err != nil || len(cs) != len(cells) || cs[0].Firms != 4 {
		t.Fatalf("after the next save: %d cells (%v), want %d of the last run", len(cs), err, len(cells))
	}
	attached, all := partitionVersions(t, conn, "cell_blocks")
	if !slices.Equal(attached, all) || len(attached) != 2 {
		t.Errorf("cell_blocks: partitions %v, tables %v, want the 2 kept versions' partitions only", attached, all)
	}
}

// TestAnalysisStreamOneConnection: a save takes one connection, so a pool of
// one connection saves, and the store stays usable.
func TestAnalysisStreamOneConnection(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgis.Open(ctx, url, postgis.WithMaxConns(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := s.SaveAnalysis(ctx, analysisOf(1, 0x8928308280fffff))
	if err != nil {
		t.Fatalf("save with a pool of one connection: %v", err)
	}
	cs, err := s.CellStats(ctx, kume.CellFilter{Version: v, Res: 9, Sector: "C"})
	if err != nil || len(cs) != 1 || cs[0].Cell != 0x8928308280fffff {
		t.Fatalf("cells after the save: %+v (%v)", cs, err)
	}
}
