package postgis

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

// An analysis is saved in one transaction on one connection: it bumps the
// data version (which stays locked until it ends), takes the version's
// advisory lock (analysis_lock_version.sql), creates the version's partition
// of cell_blocks as a plain table (with its primary key, which the blocks
// arrive in the order of) and COPYs the cell blocks into it while the cells
// arrive. Commit ends the COPY, samples the table's statistics, stores the
// run, region statistics and clusters, attaches the table and moves the
// current-version pointer. Readers see the previous version until that
// commit; a save that ends without committing (Abort, an error, a dropped
// connection, a crash) leaves nothing, since its table was never committed.
//
// The advisory lock keeps the cleanup of orphan partitions
// (dropOrphanPartitions) away from a version being saved. A table left under
// the version's name by an older kind of save is dropped first (dropIfOrphan).

// analysisQueue is how many buffers of copyBufferSize bytes the COPY of an
// analysis save queues: enough that the server keeps consuming rows while
// the caller computes the next batch, few enough that memory stays flat.
const analysisQueue = 64

// analysisWriter is one analysis being saved (kume.AnalysisWriter).
type analysisWriter struct {
	s       *Store
	version int64
	cells   int // announced
	written int

	tx     pgx.Tx // the save transaction
	blocks *copyStream
	enc    *cellEncoder

	// Rows encoded but not queued yet: they go to the COPY by buffers of
	// about copyBufferSize bytes, and the last ones at Commit.
	rows []byte

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
// then takes the version after it, as with SaveAnalysis. The writer uses one
// connection of the pool until it ends, and ctx bounds its whole life.
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

//go:embed queries/analysis_create_cell_blocks.sql
var analysisCreateCellBlocksSQL string

//go:embed queries/analysis_lock_version.sql
var analysisLockVersionSQL string

// begin opens the transaction, creates the table and starts the COPY.
func (w *analysisWriter) begin(ctx context.Context) error {
	s := w.s
	var err error
	if w.tx, err = s.pool.Begin(ctx); err != nil {
		return err
	}
	if w.version, err = s.bumpVersion(ctx, w.tx); err != nil {
		return err
	}
	if _, err := w.tx.Exec(ctx, analysisLockVersionSQL, w.version); err != nil {
		return err
	}
	table := "cell_blocks_" + strconv.FormatInt(w.version, 10)
	if err := s.dropIfOrphan(ctx, w.tx, table, w.version); err != nil {
		return fmt.Errorf("drop a table left by an unfinished save: %w", err)
	}
	if err := s.execAnalysisPartition(ctx, w.tx, analysisCreateCellBlocksSQL, w.version); err != nil {
		return fmt.Errorf("create partition: %w", err)
	}
	w.enc = newCellEncoder(w.version)
	w.blocks = startCopy(ctx, w.tx.Conn().PgConn(), copySQL(table, cellBlockColumns()), analysisQueue)
	return nil
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
		w.rows = w.blocks.buffer()
	}
	var err error
	for i := range cells {
		if w.rows, err = w.enc.appendCell(w.rows, &cells[i]); err != nil {
			return w.fail(ctx, err)
		}
		if len(w.rows) >= copyBufferSize-2*blockBytes {
			if err := w.blocks.send(ctx, w.rows); err != nil {
				return w.fail(ctx, wrap(ctx, err, "cell blocks"))
			}
			w.rows = w.blocks.buffer()
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

// Commit ends the COPY, analyzes the table, stores r's run, region
// statistics and clusters, attaches the table (taking the lock in short
// attempts, see attachPartitions) and makes the version current; then it
// prunes old versions. Fewer cells than announced is an error (EINVALID).
func (w *analysisWriter) Commit(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	if err := w.usable(ctx); err != nil {
		return 0, err
	}
	if w.written != w.cells {
		return 0, w.fail(ctx, invalid("analysis: %d cell statistics written, %d announced", w.written, w.cells))
	}
	if err := r.Run.Scope.Check(); err != nil {
		return 0, w.fail(ctx, err)
	}
	if err := w.commit(ctx, r); err != nil {
		return 0, w.fail(ctx, wrap(ctx, err, "save analysis"))
	}
	w.done = true
	r.Run.Version = w.version
	// Pruning is housekeeping: the new version is committed whatever happens
	// here, and the next save prunes again.
	_ = w.s.pruneAnalyses(ctx, w.s.keep)
	return w.version, nil
}

//go:embed queries/analysis_analyze_cell_blocks.sql
var analysisAnalyzeCellBlocksSQL string

//go:embed queries/analysis_insert_run.sql
var analysisInsertRunSQL string

//go:embed queries/analysis_set_current.sql
var analysisSetCurrentSQL string

func (w *analysisWriter) commit(ctx context.Context, r *kume.AnalysisResult) error {
	s, v := w.s, w.version
	if err := w.blocks.send(ctx, w.enc.flush(w.rows)); err != nil {
		return fmt.Errorf("cell blocks: %w", err)
	}
	n, err := w.blocks.finish(ctx)
	if err == nil && n != int64(w.enc.blocks) {
		err = fmt.Errorf("the server stored %d of %d cell blocks", n, w.enc.blocks)
	}
	if err != nil {
		return fmt.Errorf("cell blocks: %w", err)
	}
	if err := s.execAnalysisPartition(ctx, w.tx, analysisAnalyzeCellBlocksSQL, v); err != nil {
		return fmt.Errorf("analyze cell blocks: %w", err)
	}
	tx, run := w.tx, r.Run
	datasets, err := runDatasetsJSON(run.Datasets)
	if err != nil {
		return err
	}
	omitted, err := runDatasetsJSON(run.Omitted)
	if err != nil {
		return err
	}
	scope := string(run.Scope.Norm())
	if _, err := tx.Exec(ctx, analysisInsertRunSQL, v, run.StartedAt, run.FinishedAt, rawJSON(run.Params),
		scope, datasets, omitted); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"region_stats"}, regionStatColumns(), &regionStatSource{stats: r.Regions, version: v, i: -1}); err != nil {
		return fmt.Errorf("region statistics: %w", err)
	}
	if err := s.copyClusters(ctx, tx, v, r.Clusters); err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	if err := s.attachPartitions(ctx, tx, v); err != nil {
		return fmt.Errorf("attach partitions: %w", err)
	}
	if _, err := tx.Exec(ctx, analysisSetCurrentSQL, scope, v); err != nil {
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
// COPY and the transaction, whose rollback releases the data version and the
// version's lock and removes the version's table.
func (w *analysisWriter) end(ctx context.Context) {
	if w.done {
		return
	}
	w.done = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	if w.blocks != nil {
		w.blocks.abort()
	}
	if w.tx != nil {
		_ = w.tx.Rollback(ctx)
	}
}

// runDatasetsJSON returns the JSON of a run's datasets for a jsonb column:
// NULL for none (as runs saved before the column was there).
func runDatasetsJSON(ds []kume.AnalysisDataset) ([]byte, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(ds)
	if err != nil {
		return nil, fmt.Errorf("run datasets: %w", err)
	}
	return b, nil
}
