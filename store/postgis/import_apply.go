package postgis

import (
	"context"
	_ "embed"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

// rebuildShare decides how a staged import is applied: when it changes at least
// one in rebuildShare of the dataset's rows (inserts, updates and closes
// together), the dataset's partition is rebuilt from the stored and the staged
// rows and swapped in; otherwise the changes are written into the partition in
// place. Rebuilding costs a few microseconds per row of the dataset, updating in
// place a few tens per changed row, because every index is maintained row by row.
const rebuildShare = 8

//go:embed queries/import_finish_dataset.sql
var importFinishDatasetSQL string

// apply applies the import's rows, then updates the dataset and bumps the data
// version. Partition swaps come before the version bump: every writer takes its
// locks on establishments before the lock on the data version row, so writers
// never wait for each other in a cycle.
func (imp *importer) apply(ctx context.Context) (kume.ImportStats, error) {
	var st kume.ImportStats
	var err error
	if imp.fresh {
		st.Inserted = imp.staged
		err = imp.swapIn(ctx)
	} else {
		st, err = imp.applyStaged(ctx)
	}
	if err != nil {
		return st, err
	}
	s, tx := imp.s, imp.tx
	if _, err := tx.Exec(ctx, importFinishDatasetSQL, imp.datasetID, st.Inserted); err != nil {
		return st, wrap(ctx, err, "import update dataset")
	}
	if _, err := s.bumpVersion(ctx, tx); err != nil {
		return st, wrap(ctx, err, "import bump version")
	}
	return st, nil
}

//go:embed queries/import_index_partition.sql
var importIndexPartitionSQL string

//go:embed queries/import_swap_partition.sql
var importSwapPartitionSQL string

// swapIn indexes the next partition and makes it the dataset's partition. A
// source id that occurs twice fails the unique index build (EINVALID).
func (imp *importer) swapIn(ctx context.Context) error {
	s, tx := imp.s, imp.tx
	if _, err := s.execPartition(ctx, tx, importIndexPartitionSQL, imp.datasetID); err != nil {
		return importError(ctx, err, "import index")
	}
	if _, err := s.execPartition(ctx, tx, importSwapPartitionSQL, imp.datasetID); err != nil {
		return wrap(ctx, err, "import swap partition")
	}
	return nil
}

//go:embed queries/import_analyze_stage.sql
var importAnalyzeStageSQL string

//go:embed queries/import_diff.sql
var importDiffSQL string

//go:embed queries/import_duplicate.sql
var importDuplicateSQL string

// applyStaged applies the rows staged in import_stage to a dataset that has
// rows. It first counts what they change; an import that changes much of the
// dataset rebuilds the dataset's partition, any other writes its changes in
// place, and one that changes nothing writes nothing.
func (imp *importer) applyStaged(ctx context.Context) (kume.ImportStats, error) {
	var st kume.ImportStats
	tx := imp.tx
	if _, err := tx.Exec(ctx, importAnalyzeStageSQL); err != nil {
		return st, wrap(ctx, err, "import analyze")
	}
	var ins, upd, closable int64
	err := tx.QueryRow(ctx, partitionSQL(importDiffSQL, imp.datasetID)).Scan(&ins, &upd, &closable)
	if err != nil {
		return st, wrap(ctx, err, "import compare")
	}
	st.Inserted, st.Updated = int(ins), int(upd)
	st.Unchanged = imp.staged - st.Inserted - st.Updated
	if imp.opts.Replace {
		st.Closed = int(closable)
	}
	if changes := int64(st.Inserted + st.Updated + st.Closed); changes*rebuildShare >= imp.existing {
		return st, imp.rebuild(ctx)
	}
	var dup string
	switch err := tx.QueryRow(ctx, importDuplicateSQL).Scan(&dup); {
	case err == nil:
		return st, invalid("source id %q occurs twice in the import", dup)
	case !errors.Is(err, pgx.ErrNoRows):
		return st, wrap(ctx, err, "import check duplicates")
	}
	if st.Inserted+st.Updated+st.Closed == 0 {
		return st, nil
	}
	return st, imp.applyInPlace(ctx)
}

//go:embed queries/import_merge.sql
var importMergeSQL string

// rebuild builds the dataset's next partition from the stored and the staged
// rows and swaps it in.
func (imp *importer) rebuild(ctx context.Context) error {
	s, tx := imp.s, imp.tx
	if _, err := s.execPartition(ctx, tx, importCreatePartitionSQL, imp.datasetID); err != nil {
		return wrap(ctx, err, "import create partition")
	}
	var closeAt any
	if imp.opts.Replace {
		closeAt = imp.opts.ReplaceAt
	}
	if _, err := s.execPartition(ctx, tx, importMergeSQL, imp.datasetID, imp.datasetID, closeAt); err != nil {
		return wrap(ctx, err, "import merge")
	}
	return imp.swapIn(ctx)
}

//go:embed queries/import_close_absent.sql
var importCloseAbsentSQL string

//go:embed queries/import_plan_close.sql
var importPlanCloseSQL string

//go:embed queries/import_upsert.sql
var importUpsertSQL string

// applyInPlace upserts the staged rows into the dataset's partition and, when
// replacing, closes the open rows absent from the import. Its counts match
// those of import_diff, since the stage holds every source id once.
func (imp *importer) applyInPlace(ctx context.Context) error {
	s, tx := imp.s, imp.tx
	var ins, upd int64
	if err := tx.QueryRow(ctx, partitionSQL(importUpsertSQL, imp.datasetID), imp.datasetID).Scan(&ins, &upd); err != nil {
		return importError(ctx, err, "import apply")
	}
	if !imp.opts.Replace {
		return nil
	}
	if _, err := tx.Exec(ctx, importPlanCloseSQL); err != nil {
		return wrap(ctx, err, "import close absent")
	}
	if _, err := s.execPartition(ctx, tx, importCloseAbsentSQL, imp.datasetID, imp.datasetID, imp.opts.ReplaceAt); err != nil {
		return wrap(ctx, err, "import close absent")
	}
	return nil
}
