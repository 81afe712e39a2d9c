package memory

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/kume-geo/kume"
)

// importer stages rows in memory; nothing is visible to readers until Commit
// publishes a new snapshot.
type importer struct {
	s         *Store
	datasetID int64 // 0 while a new dataset (opts.Dataset) is not committed
	opts      kume.ImportOptions
	create    *kume.Dataset // the checked copy of opts.Dataset, created by Commit

	mu      sync.Mutex
	batches [][]kume.Establishment // copies of what Add got
	seen    map[string]struct{}
	done    bool
}

// BeginImport starts an import transaction into the dataset, or into the new
// dataset opts.Dataset (datasetID 0), which only Commit creates.
func (s *Store) BeginImport(ctx context.Context, datasetID int64, opts kume.ImportOptions) (kume.Importer, error) {
	if s.readOnly != "" {
		return nil, s.readOnlyError()
	}
	imp := &importer{s: s, datasetID: datasetID, opts: opts, seen: map[string]struct{}{}}
	switch {
	case opts.Dataset != nil && datasetID != 0:
		return nil, kume.Errorf(kume.EINVALID, "an import into dataset %d cannot create another", datasetID)
	case opts.Dataset != nil:
		d := *opts.Dataset
		if err := checkDataset(&d); err != nil {
			return nil, err
		}
		if s.snapshot().datasetByName(d.Name) != nil {
			return nil, kume.Errorf(kume.ECONFLICT, "a dataset named %q exists", d.Name)
		}
		imp.create = &d
	case s.snapshot().dataset(datasetID) == nil:
		return nil, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", datasetID)
	}
	return imp, nil
}

// Add stages copies of rows. A source id staged twice is an EINVALID error.
func (imp *importer) Add(ctx context.Context, rows []kume.Establishment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if imp.done {
		return kume.Errorf(kume.EINVALID, "the import is finished")
	}
	batch := make([]kume.Establishment, len(rows))
	for i := range rows {
		e := rows[i]
		var err error
		if _, dup := imp.seen[e.SourceID]; dup {
			err = kume.Errorf(kume.EINVALID, "source id %q appears twice in the import", e.SourceID)
		}
		if e.SourceID == "" {
			err = kume.Errorf(kume.EINVALID, "row %d of the batch has no source id", i+1)
		}
		if err != nil { // the batch is rejected as a whole
			for _, r := range rows[:i] {
				delete(imp.seen, r.SourceID)
			}
			return err
		}
		imp.seen[e.SourceID] = struct{}{}
		e.ID, e.DatasetID = 0, imp.datasetID // 0 for a new dataset until Commit
		e.Founded, e.Closed = utcTime(e.Founded), utcTime(e.Closed)
		e.Attrs = cloneStrings(e.Attrs)
		batch[i] = e
	}
	imp.batches = append(imp.batches, batch)
	return nil
}

// Rollback discards the staged rows. It is a no-op after Commit.
func (imp *importer) Rollback(ctx context.Context) error {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	imp.done, imp.batches, imp.seen = true, nil, nil
	return nil
}

// Commit applies the staged rows atomically: it builds the dataset's new table
// beside the current one, persists it and publishes it.
func (imp *importer) Commit(ctx context.Context) (kume.ImportStats, error) {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if imp.done {
		return kume.ImportStats{}, kume.Errorf(kume.EINVALID, "the import is finished")
	}
	var stats kume.ImportStats
	var created *kume.Dataset
	err := imp.s.write(ctx, func(next *state) (change, error) {
		id := imp.datasetID
		if imp.create != nil {
			nd, err := next.addDataset(imp.create)
			if err != nil {
				return change{}, err
			}
			id, created = nd.ID, nd
		}
		di := next.datasetIndex(id)
		if di < 0 {
			return change{}, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", id)
		}
		var t *table
		stats, t = imp.merge(next, id)
		ds := *next.datasets[di]
		ds.ImportedAt = imp.s.now().UTC()
		var ch change
		if t != nil {
			ds.Count = len(t.rows)
			next.tables = maps.Clone(next.tables)
			next.tables[id] = t
			ch.tables = []int64{id}
			next.version++
		}
		next.datasets = slices.Clone(next.datasets)
		next.datasets[di] = &ds
		if created != nil {
			created = &ds
		}
		return ch, nil
	})
	if err != nil {
		return kume.ImportStats{}, err
	}
	if created != nil {
		*imp.opts.Dataset = *created
	}
	imp.done, imp.batches, imp.seen = true, nil, nil
	return stats, nil
}

// merge applies the staged rows to the dataset's current table and returns the
// stats and the new table, or a nil table when nothing changed.
func (imp *importer) merge(next *state, id int64) (kume.ImportStats, *table) {
	var stats kume.ImportStats
	old := next.tables[id]
	if old == nil {
		old = newTable(nil)
	}
	bySource := old.sourceIndex()
	inserted := 0
	for _, b := range imp.batches {
		for k := range b {
			if _, ok := bySource[b[k].SourceID]; !ok {
				inserted++
			}
		}
	}
	// rows is the new table: a copy of the old one, made on the first change,
	// with room for the inserted rows.
	var rows []kume.Establishment
	ensure := func() {
		if rows == nil {
			rows = make([]kume.Establishment, len(old.rows), len(old.rows)+inserted)
			copy(rows, old.rows)
		}
	}
	var touched []bool
	if imp.opts.Replace {
		touched = make([]bool, len(old.rows))
	}
	for _, b := range imp.batches {
		for k := range b {
			e := &b[k]
			i, ok := bySource[e.SourceID]
			if !ok {
				continue
			}
			if touched != nil {
				touched[i] = true
			}
			if sameContent(&old.rows[i], e) {
				stats.Unchanged++
				continue
			}
			ensure()
			e.ID = old.rows[i].ID
			rows[i] = *e
			stats.Updated++
		}
	}
	if imp.opts.Replace {
		at := imp.opts.ReplaceAt
		if at.IsZero() {
			at = imp.s.now()
		}
		at = at.UTC()
		for i := range old.rows {
			if !touched[i] && old.rows[i].Closed == nil {
				ensure()
				rows[i].Closed = &at
				stats.Closed++
			}
		}
	}
	if inserted > 0 {
		ensure()
		for _, b := range imp.batches {
			for k := range b {
				if _, ok := bySource[b[k].SourceID]; !ok {
					b[k].ID, b[k].DatasetID = next.nextEst, id
					next.nextEst++
					rows = append(rows, b[k])
				}
			}
		}
	}
	stats.Inserted = inserted
	if rows == nil {
		return stats, nil
	}
	t := newTable(rows)
	if inserted == 0 {
		t.bySource = bySource // same positions
	}
	return stats, t
}
