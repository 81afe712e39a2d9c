package postgis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kume-geo/kume"
)

// importColumns returns the columns an import writes, in the order of copySource.
func importColumns() []string {
	return []string{
		"source_id", "name", "kind", "type", "nace",
		"employees_known", "employees_low", "employees_high", "founded", "closed",
		"street", "postcode", "district", "province", "country",
		"lon", "lat", "precision", "geocode_source", "h3", "attrs", "content_hash",
	}
}

// importer is one import transaction.
//
// Into an empty dataset the rows are copied straight into the next version of
// the dataset's partition, a table without indexes created by the transaction;
// Commit indexes it and swaps it in. Otherwise the rows are copied into a
// temporary table, and Commit compares them with the stored ones by source id
// and content hash: see apply.
type importer struct {
	s         *Store
	tx        pgx.Tx
	datasetID int64
	opts      kume.ImportOptions
	create    *kume.Dataset // the checked copy of opts.Dataset, inserted by the transaction
	existing  int64         // rows the dataset holds, open and closed
	fresh     bool          // copying straight into the next partition
	staged    int
	done      bool
	copy      *copyStream // the COPY Add feeds, until Commit or Rollback
	enc       rowEncoder
}

// BeginImport starts an import transaction into the dataset (ENOTFOUND if
// none), or into the new dataset opts.Dataset (datasetID 0), which the
// transaction inserts, so that a rollback leaves nothing of it. Imports into
// one dataset run one after the other: a second one waits here until the
// first ends. The caller must end the import with Commit or Rollback (a
// deferred Rollback after Commit is a no-op).
func (s *Store) BeginImport(ctx context.Context, datasetID int64, opts kume.ImportOptions) (kume.Importer, error) {
	if opts.Replace && opts.ReplaceAt.IsZero() {
		opts.ReplaceAt = time.Now()
	}
	imp := &importer{s: s, datasetID: datasetID, opts: opts}
	if opts.Dataset != nil {
		if datasetID != 0 {
			return nil, invalid("an import into dataset %d cannot create another", datasetID)
		}
		d := *opts.Dataset
		if err := checkDataset(&d); err != nil {
			return nil, err
		}
		imp.create = &d
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, wrap(ctx, err, "begin import")
	}
	imp.tx = tx
	if err := imp.begin(ctx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return imp, nil
}

//go:embed queries/import_create_partition.sql
var importCreatePartitionSQL string

//go:embed queries/import_create_stage.sql
var importCreateStageSQL string

//go:embed queries/import_lock_dataset.sql
var importLockDatasetSQL string

//go:embed queries/import_settings.sql
var importSettingsSQL string

// begin locks the dataset and creates the table Add copies into.
func (imp *importer) begin(ctx context.Context) error {
	s, tx := imp.s, imp.tx
	if _, err := tx.Exec(ctx, importSettingsSQL); err != nil {
		return wrap(ctx, err, "begin import")
	}
	if d := imp.create; d != nil {
		err := tx.QueryRow(ctx, datasetCreateSQL, d.Name, d.Source, d.Licence, d.Attribution, string(d.Visibility)).Scan(&imp.datasetID)
		if kume.ErrorCode(wrap(ctx, err, "create dataset")) == kume.ECONFLICT {
			return withCode(err, kume.ECONFLICT, "a dataset named %q exists", d.Name)
		} else if err != nil {
			return wrap(ctx, err, "create dataset")
		}
	}
	if err := tx.QueryRow(ctx, importLockDatasetSQL, imp.datasetID).Scan(&imp.existing); err != nil {
		return wrap(ctx, err, "dataset")
	}
	imp.fresh = imp.existing == 0
	imp.enc = rowEncoder{datasetID: imp.datasetID, withDataset: imp.fresh}
	table, cols := "import_stage", importColumns()
	var err error
	if imp.fresh {
		_, err = s.execPartition(ctx, tx, importCreatePartitionSQL, imp.datasetID)
		table, cols = nextPartitionName(imp.datasetID), append([]string{"dataset_id"}, cols...)
	} else {
		_, err = tx.Exec(ctx, importCreateStageSQL)
	}
	if err != nil {
		return wrap(ctx, err, "begin import")
	}
	imp.copy = startCopy(ctx, tx.Conn().PgConn(), copySQL(table, cols), streamDepth)
	return nil
}

// copySQL returns the binary COPY FROM STDIN of cols into table.
func copySQL(table string, cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	return "COPY " + pgx.Identifier{table}.Sanitize() + " (" + strings.Join(quoted, ", ") + ") FROM STDIN (FORMAT binary)"
}

// Add encodes rows and queues them for the import's COPY, which the server
// consumes while the caller prepares the next rows. An error of the server
// shows at a later Add or at Commit.
func (imp *importer) Add(ctx context.Context, rows []kume.Establishment) error {
	if imp.done {
		return errors.New("postgis: import already ended")
	}
	if err := ctx.Err(); err != nil {
		return wrap(ctx, err, "import add")
	}
	for i := range rows {
		if err := checkEstablishment(&rows[i]); err != nil {
			return err
		}
	}
	b := imp.copy.buffer()
	var err error
	for i := range rows {
		if b, err = imp.enc.appendRow(b, &rows[i]); err != nil {
			return fmt.Errorf("postgis: import add: %w", err)
		}
	}
	if err := imp.copy.send(ctx, b); err != nil {
		return importError(ctx, err, "import add")
	}
	imp.staged += len(rows)
	return nil
}

// checkEstablishment rejects rows a database would store but no reader could use.
func checkEstablishment(e *kume.Establishment) error {
	switch {
	case e.SourceID == "":
		return invalid("establishment without source id")
	case math.IsNaN(e.Lon) || math.IsInf(e.Lon, 0) || math.IsNaN(e.Lat) || math.IsInf(e.Lat, 0):
		return invalid("establishment %q: coordinates are not finite", e.SourceID)
	}
	return nil
}

// importError maps a source id staged twice to EINVALID.
func importError(ctx context.Context, err error, what string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == pgUniqueViolation || pgErr.Code == pgCardinalityViolation) {
		return withCode(fmt.Errorf("postgis: %s: %w", what, err), kume.EINVALID, "a source id occurs twice in the import")
	}
	return wrap(ctx, err, what)
}

// Commit applies the staged rows, closes absent ones when replacing, updates
// the dataset, bumps the data version and commits.
func (imp *importer) Commit(ctx context.Context) (kume.ImportStats, error) {
	if imp.done {
		return kume.ImportStats{}, errors.New("postgis: import already ended")
	}
	n, err := imp.copy.finish(ctx)
	if err == nil && n != int64(imp.staged) {
		err = fmt.Errorf("postgis: the server stored %d of %d rows", n, imp.staged)
	}
	if err != nil {
		imp.Rollback(ctx)
		return kume.ImportStats{}, importError(ctx, err, "import add")
	}
	st, err := imp.apply(ctx)
	if err != nil {
		imp.Rollback(ctx)
		return kume.ImportStats{}, err
	}
	imp.done = true
	if err := imp.tx.Commit(ctx); err != nil {
		return kume.ImportStats{}, wrap(ctx, err, "import commit")
	}
	if imp.create != nil {
		d, err := imp.s.Dataset(ctx, imp.datasetID)
		if err != nil {
			return st, err
		}
		*imp.opts.Dataset = *d
	}
	return st, nil
}

// Rollback discards the import. It is a no-op after Commit.
func (imp *importer) Rollback(ctx context.Context) error {
	if imp.done {
		return nil
	}
	imp.done = true
	imp.copy.abort()
	err := imp.tx.Rollback(context.WithoutCancel(ctx))
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return wrap(ctx, err, "import rollback")
}
