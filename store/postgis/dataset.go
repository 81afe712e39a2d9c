package postgis

import (
	"context"
	_ "embed"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

//go:embed queries/dataset_create.sql
var datasetCreateSQL string

// CreateDataset stores d and sets its ID. ECONFLICT when the name is taken.
func (s *Store) CreateDataset(ctx context.Context, d *kume.Dataset) error {
	if err := checkDataset(d); err != nil {
		return err
	}
	err := s.pool.QueryRow(ctx, datasetCreateSQL,
		d.Name, d.Source, d.Licence, d.Attribution, string(d.Visibility)).Scan(&d.ID)
	return wrap(ctx, err, "create dataset")
}

// checkDataset validates d, defaulting an empty visibility to
// kume.DefaultVisibility.
func checkDataset(d *kume.Dataset) error {
	if d.Name == "" {
		return invalid("dataset name is empty")
	}
	if d.Visibility == "" {
		d.Visibility = kume.DefaultVisibility
	}
	if !d.Visibility.Valid() {
		return invalid("unknown visibility %q", d.Visibility)
	}
	return nil
}

//go:embed queries/dataset_get.sql
var datasetGetSQL string

// Dataset returns the dataset with the given id (ENOTFOUND if none).
func (s *Store) Dataset(ctx context.Context, id int64) (*kume.Dataset, error) {
	rows, _ := s.pool.Query(ctx, datasetGetSQL, id)
	d, err := pgx.CollectExactlyOneRow(rows, scanDataset)
	if err != nil {
		return nil, wrap(ctx, err, "dataset")
	}
	return d, nil
}

//go:embed queries/dataset_by_name.sql
var datasetByNameSQL string

// DatasetByName returns the dataset with the given name (ENOTFOUND if none).
func (s *Store) DatasetByName(ctx context.Context, name string) (*kume.Dataset, error) {
	rows, _ := s.pool.Query(ctx, datasetByNameSQL, name)
	d, err := pgx.CollectExactlyOneRow(rows, scanDataset)
	if err != nil {
		return nil, wrap(ctx, err, "dataset")
	}
	return d, nil
}

//go:embed queries/dataset_list.sql
var datasetListSQL string

// Datasets lists every dataset ordered by id.
func (s *Store) Datasets(ctx context.Context) ([]*kume.Dataset, error) {
	rows, _ := s.pool.Query(ctx, datasetListSQL)
	ds, err := pgx.CollectRows(rows, scanDataset)
	if err != nil {
		return nil, wrap(ctx, err, "datasets")
	}
	return ds, nil
}

//go:embed queries/dataset_update.sql
var datasetUpdateSQL string

// UpdateDataset changes a dataset's name, descriptive fields and visibility
// (ENOTFOUND if none, ECONFLICT when the new name is taken). A visibility
// change bumps the data version, since it changes what public outputs show.
func (s *Store) UpdateDataset(ctx context.Context, d *kume.Dataset) error {
	if err := checkDataset(d); err != nil {
		return err
	}
	return s.tx(ctx, "update dataset", func(tx pgx.Tx) error {
		var visibilityChanged bool
		err := tx.QueryRow(ctx, datasetUpdateSQL,
			d.ID, d.Name, d.Source, d.Licence, d.Attribution, string(d.Visibility)).Scan(&visibilityChanged)
		if err != nil {
			return err
		}
		if visibilityChanged {
			_, err = s.bumpVersion(ctx, tx)
		}
		return err
	})
}

//go:embed queries/dataset_delete.sql
var datasetDeleteSQL string

//go:embed queries/drop_partition.sql
var dropPartitionSQL string

//go:embed queries/analysis_delete_dataset_scopes.sql
var analysisDeleteDatasetScopesSQL string

// DeleteDataset removes a dataset and all its establishments, which is to say
// its partition of establishments (ENOTFOUND if none), the grants on it (by
// their foreign key) and the analyses of the scopes that name it (pruned
// after the commit).
func (s *Store) DeleteDataset(ctx context.Context, id int64) error {
	err := s.tx(ctx, "delete dataset", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, datasetDeleteSQL, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if _, err := s.execPartition(ctx, tx, dropPartitionSQL, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, analysisDeleteDatasetScopesSQL, id); err != nil {
			return err
		}
		_, err = s.bumpVersion(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	// Housekeeping: the next save prunes again if this one gives up.
	_ = s.pruneAnalyses(ctx, s.keep)
	return nil
}

//go:embed queries/data_version_get.sql
var dataVersionGetSQL string

// DataVersion returns the current data version.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, dataVersionGetSQL).Scan(&v)
	return v, wrap(ctx, err, "data version")
}

//go:embed queries/data_version_bump.sql
var dataVersionBumpSQL string

// bumpVersion increments the data version inside tx and returns the new value.
// The row stays locked until tx ends, so writers take versions in commit order.
func (s *Store) bumpVersion(ctx context.Context, tx pgx.Tx) (int64, error) {
	var v int64
	err := tx.QueryRow(ctx, dataVersionBumpSQL).Scan(&v)
	return v, err
}

// tx runs fn in a transaction, committing when fn returns nil. Errors are
// wrapped with what.
func (s *Store) tx(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, fn)
	return wrap(ctx, err, what)
}

func scanDataset(row pgx.CollectableRow) (*kume.Dataset, error) {
	var d kume.Dataset
	var vis string
	var imported *time.Time
	var count int64
	err := row.Scan(&d.ID, &d.Name, &d.Source, &d.Licence, &d.Attribution, &vis, &imported, &count)
	d.Visibility = kume.Visibility(vis)
	if imported != nil {
		d.ImportedAt = imported.UTC()
	}
	d.Count = int(count)
	return &d, err
}
