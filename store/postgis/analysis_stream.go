package postgis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kume-geo/kume"
)

// An analysis is saved through two connections, since one connection runs
// one COPY at a time and both tables receive their rows together:
//
//   - The save transaction bumps the data version (which stays locked until it
//     ends), takes the version's advisory lock (analysis_lock_version.sql),
//     creates the version's partition of cell_stats and COPYs the cell
//     statistics into it while they arrive.
//   - A second connection, in a transaction of its own, creates the version's
//     partition of cell_blocks and COPYs the blocks into it.
//
// Commit ends both COPYs and builds the two primary keys at the same time,
// one on each connection; the second connection then commits its table,
// unattached, and the save transaction stores the run, region statistics and
// clusters, attaches both tables and moves the current-version pointer.
// Readers see the previous version until that commit. The cell_blocks table
// has autovacuum off until the attach (see analysis_create_cell_blocks.sql).
//
// Until the save commits, its cell_blocks table is a table without a run, as
// the cleanup of orphan partitions (dropOrphanPartitions) finds them; the
// advisory lock keeps the cleanup away from it while the save runs. When a
// save ends without committing (Abort, an error, a dropped connection, a
// crash), its lock goes with its transaction, and its cell_blocks table is
// dropped by Abort or else by the next cleanup (after every save). A version
// whose save did not commit is taken again by the next write, whose save
// drops a table left under that name first.

// analysisQueue is how many buffers of copyBufferSize bytes each COPY of an
// analysis save queues: enough that the server keeps consuming rows while
// the caller computes the next batch, few enough that memory stays flat.
const analysisQueue = 64

// analysisWriter is one analysis being saved (kume.AnalysisWriter).
type analysisWriter struct {
	s       *Store
	version int64
	cells   int // announced
	written int

	tx       pgx.Tx        // the save transaction: cell_stats, then everything else
	conn     *pgxpool.Conn // the second connection, for cell_blocks
	blocksTx pgx.Tx
	stats    *copyStream
	blocks   *copyStream
	enc      *cellEncoder

	// Rows encoded but not queued yet: they go to the COPYs by buffers of
	// about copyBufferSize bytes, and the last ones at Commit.
	rows, blockRows []byte

	// The last cell written, to check the order across batches.
	last    kume.CellStat
	hasLast bool

	done bool  // committed or ended
	err  error // why the stream failed; nil while it can go on
}

var _ kume.AnalysisStreamer = (*Store)(nil)

// BeginAnalysis starts saving a new analysis of the given number of cell
// statistics (see kume.AnalysisStreamer). It takes the next data version and
// keeps the data version locked until the writer ends: an import that
// commits meanwhile waits until the analysis commits or is abandoned, and
// then takes the version after it, as with SaveAnalysis. The writer uses two
// connections of the pool until it ends, and ctx bounds its whole life.
func (s *Store) BeginAnalysis(ctx context.Context, cells int) (kume.AnalysisWriter, error) {
	if cells < 0 {
		return nil, invalid("analysis of %d cells", cells)
	}
	w := &analysisWriter{s: s, cells: cells}
	if err := w.begin(ctx); err != nil {
		w.end(ctx)
		return nil, wrap(ctx, err, "begin analysis")
	}
	return w, nil
}

// begin opens both transactions, creates the tables and starts the COPYs.
func (w *analysisWriter) begin(ctx context.Context) error {
	s := w.s
	if err := w.connect(ctx); err != nil {
		return err
	}
	var err error
	if w.version, err = s.bumpVersion(ctx, w.tx); err != nil {
		return err
	}
	if _, err := w.tx.Exec(ctx, s.q("analysis_lock_version"), w.version); err != nil {
		return err
	}
	if err := s.execAnalysisPartition(ctx, w.tx, "analysis_create_cell_stats", w.version); err != nil {
		return fmt.Errorf("create partition: %w", err)
	}
	table := "cell_blocks_" + strconv.FormatInt(w.version, 10)
	if err := s.dropIfOrphan(ctx, w.blocksTx, table, w.version); err != nil {
		return fmt.Errorf("drop a table left by an unfinished save: %w", err)
	}
	if err := s.execAnalysisPartition(ctx, w.blocksTx, "analysis_create_cell_blocks", w.version); err != nil {
		return fmt.Errorf("create partition: %w", err)
	}
	w.enc = newCellEncoder(w.version)
	w.stats = startCopy(ctx, w.tx.Conn().PgConn(),
		copySQL("cell_stats_"+strconv.FormatInt(w.version, 10), cellColumns()), analysisQueue)
	w.blocks = startCopy(ctx, w.blocksTx.Conn().PgConn(), copySQL(table, cellBlockColumns()), analysisQueue)
	return nil
}

// connect takes the writer's two connections and begins a transaction on
// each. Writers of one store take them one writer at a time, so that two
// writers of a small pool never wait for each other's second connection.
func (w *analysisWriter) connect(ctx context.Context) error {
	s := w.s
	s.connecting.Lock()
	defer s.connecting.Unlock()
	if s.pool.Config().MaxConns < 2 {
		return errors.New("saving an analysis needs a pool of 2 connections at least")
	}
	var err error
	if w.conn, err = s.pool.Acquire(ctx); err != nil {
		return err
	}
	if w.blocksTx, err = w.conn.Begin(ctx); err != nil {
		return err
	}
	w.tx, err = s.pool.Begin(ctx)
	return err
}

// streamOrder compares cells in the order WriteCells takes them in.
func streamOrder(a, b *kume.CellStat) int {
	return cmp.Or(cmp.Compare(a.Res, b.Res), strings.Compare(a.Sector, b.Sector), cmp.Compare(a.Cell, b.Cell))
}

// WriteCells checks that cells continue the stream in order and within the
// announced count (EINVALID otherwise), encodes them and queues them for
// the server by buffers of about copyBufferSize bytes; the server consumes
// them while the caller computes the next batch, and WriteCells waits only
// when a queue is full. An error ends the stream: its
// writes are discarded and the current version stays.
func (w *analysisWriter) WriteCells(ctx context.Context, cells []kume.CellStat) error {
	if err := w.usable(ctx); err != nil {
		return err
	}
	if w.written+len(cells) > w.cells {
		return w.fail(ctx, invalid("analysis: more than the %d cell statistics announced", w.cells))
	}
	for i := range cells {
		prev := &w.last
		if i > 0 {
			prev = &cells[i-1]
		}
		if (i > 0 || w.hasLast) && streamOrder(prev, &cells[i]) >= 0 {
			c := &cells[i]
			return w.fail(ctx, invalid("analysis: cell %x of resolution %d, sector %q repeated or out of order", c.Cell, c.Res, c.Sector))
		}
	}
	if w.rows == nil {
		w.rows, w.blockRows = w.stats.buffer(), w.blocks.buffer()
	}
	var err error
	for i := range cells {
		if w.rows, w.blockRows, err = w.enc.appendCell(w.rows, w.blockRows, &cells[i]); err != nil {
			return w.fail(ctx, fmt.Errorf("postgis: analysis: cell %x: %w", cells[i].Cell, err))
		}
		if len(w.rows) >= copyBufferSize-4096 {
			if err := w.stats.send(ctx, w.rows); err != nil {
				return w.fail(ctx, wrap(ctx, err, "cell statistics"))
			}
			w.rows = w.stats.buffer()
		}
		if len(w.blockRows) >= copyBufferSize-32768 {
			if err := w.blocks.send(ctx, w.blockRows); err != nil {
				return w.fail(ctx, wrap(ctx, err, "cell blocks"))
			}
			w.blockRows = w.blocks.buffer()
		}
	}
	if len(cells) > 0 {
		last := cells[len(cells)-1]
		w.last = kume.CellStat{Res: last.Res, Sector: strings.Clone(last.Sector), Cell: last.Cell}
		w.hasLast = true
	}
	w.written += len(cells)
	return nil
}

// usable returns the error that stops the stream from going on, if any.
func (w *analysisWriter) usable(ctx context.Context) error {
	switch {
	case w.err != nil:
		return w.err
	case w.done:
		return errors.New("postgis: analysis already ended")
	}
	if err := ctx.Err(); err != nil {
		return w.fail(ctx, wrap(ctx, err, "analysis"))
	}
	return nil
}

// fail ends the stream because of err and returns err.
func (w *analysisWriter) fail(ctx context.Context, err error) error {
	w.err = err
	w.end(ctx)
	return err
}

// Commit ends the COPYs, indexes both tables, stores r's run, region
// statistics and clusters, attaches the tables (taking the lock in short
// attempts, see attachPartitions) and makes the version current; then it
// prunes old versions. Fewer cells than announced is an error (EINVALID).
func (w *analysisWriter) Commit(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	if err := w.usable(ctx); err != nil {
		return 0, err
	}
	if w.written != w.cells {
		return 0, w.fail(ctx, invalid("analysis: %d cell statistics written, %d announced", w.written, w.cells))
	}
	if err := w.commit(ctx, r); err != nil {
		return 0, w.fail(ctx, wrap(ctx, err, "save analysis"))
	}
	w.done = true
	w.conn.Release()
	r.Run.Version = w.version
	// Pruning is housekeeping: the new version is committed whatever happens
	// here, and the next save prunes again.
	_ = w.s.pruneAnalyses(ctx, w.s.keep)
	return w.version, nil
}

func (w *analysisWriter) commit(ctx context.Context, r *kume.AnalysisResult) error {
	s, v := w.s, w.version
	if err := w.stats.send(ctx, w.rows); err != nil {
		return fmt.Errorf("cell statistics: %w", err)
	}
	n, err := w.stats.finish(ctx)
	if err == nil && n != int64(w.written) {
		err = fmt.Errorf("the server stored %d of %d cell statistics", n, w.written)
	}
	if err != nil {
		return fmt.Errorf("cell statistics: %w", err)
	}
	if err := w.blocks.send(ctx, w.enc.flush(w.blockRows)); err != nil {
		return fmt.Errorf("cell blocks: %w", err)
	}
	n, err = w.blocks.finish(ctx)
	if err == nil && n != int64(w.enc.blocks) {
		err = fmt.Errorf("the server stored %d of %d cell blocks", n, w.enc.blocks)
	}
	if err != nil {
		return fmt.Errorf("cell blocks: %w", err)
	}
	// Both keys at once, one on each connection.
	blocksDone := make(chan error, 1)
	go func() {
		err := s.execAnalysisPartition(ctx, w.blocksTx, "analysis_index_cell_blocks", v)
		if err == nil {
			err = w.blocksTx.Commit(ctx)
		}
		blocksDone <- err
	}()
	err = s.execAnalysisPartition(ctx, w.tx, "analysis_index_cell_stats", v)
	if berr := <-blocksDone; berr != nil {
		return fmt.Errorf("index cell blocks: %w", berr)
	}
	if err != nil {
		return fmt.Errorf("index cell statistics: %w", err)
	}
	tx, run := w.tx, r.Run
	if _, err := tx.Exec(ctx, s.q("analysis_insert_run"), v, run.StartedAt, run.FinishedAt, rawJSON(run.Params)); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"region_stats"}, regionStatColumns(), &regionStatSource{stats: r.Regions, version: v, i: -1}); err != nil {
		return fmt.Errorf("region statistics: %w", err)
	}
	if err := s.insertClusters(ctx, tx, v, r.Clusters); err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	if err := s.attachPartitions(ctx, tx, v); err != nil {
		return fmt.Errorf("attach partitions: %w", err)
	}
	if _, err := tx.Exec(ctx, s.q("analysis_set_current"), v); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Abort discards the stream (see kume.AnalysisWriter); after Commit, or a
// second time, it does nothing.
func (w *analysisWriter) Abort() { w.end(context.Background()) }

// abortTimeout bounds the cleanup of an abandoned stream against a server
// that does not answer; what it leaves, the next save cleans up.
const abortTimeout = 30 * time.Second

// end abandons everything the stream started, if it has not ended yet: the
// COPYs, both transactions (the save transaction's rollback releases the data
// version and the version's lock) and the cell_blocks table, which may have
// been committed.
func (w *analysisWriter) end(ctx context.Context) {
	if w.done {
		return
	}
	w.done = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	for _, c := range []*copyStream{w.stats, w.blocks} {
		if c != nil {
			c.abort()
		}
	}
	if w.blocksTx != nil {
		_ = w.blocksTx.Rollback(ctx)
	}
	if w.tx != nil {
		_ = w.tx.Rollback(ctx)
	}
	if w.conn == nil {
		return
	}
	if w.version > 0 {
		// Best effort: a table left behind goes with the next cleanup.
		_ = pgx.BeginFunc(ctx, w.conn, func(tx pgx.Tx) error {
			return w.s.dropOrphan(ctx, tx, "cell_blocks_"+strconv.FormatInt(w.version, 10), w.version)
		})
	}
	w.conn.Release()
}
