package ingest

import (
	"context"
	"time"

	"github.com/kume-geo/kume"
)

// fakeStore is a minimal in-memory Store for tests: one map of rows per
// dataset, with the unchanged/updated decision made by ContentHash as the real
// stores do.
type fakeStore struct {
	datasets map[string]*kume.Dataset
	rows     map[int64]map[string]kume.Establishment
	adds     int // Add calls
}

func newFakeStore() *fakeStore {
	return &fakeStore{datasets: map[string]*kume.Dataset{}, rows: map[int64]map[string]kume.Establishment{}}
}

func (s *fakeStore) DatasetByName(ctx context.Context, name string) (*kume.Dataset, error) {
	if d, ok := s.datasets[name]; ok {
		return d, nil
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "dataset %q not found", name)
}

func (s *fakeStore) CreateDataset(ctx context.Context, d *kume.Dataset) error {
	if _, taken := s.datasets[d.Name]; taken {
		return kume.Errorf(kume.ECONFLICT, "dataset %q exists", d.Name)
	}
	d.ID = int64(len(s.datasets) + 1)
	c := *d
	s.datasets[d.Name] = &c
	s.rows[d.ID] = map[string]kume.Establishment{}
	return nil
}

// BeginImport starts an import; a new dataset (opts.Dataset) is created only
// by Commit, as the real stores do.
func (s *fakeStore) BeginImport(ctx context.Context, id int64, opts kume.ImportOptions) (kume.Importer, error) {
	if opts.Dataset != nil && id != 0 {
		return nil, kume.Errorf(kume.EINVALID, "both")
	}
	return &fakeImporter{s: s, id: id, opts: opts, staged: map[string]kume.Establishment{}}, nil
}

type fakeImporter struct {
	s      *fakeStore
	id     int64
	opts   kume.ImportOptions
	staged map[string]kume.Establishment
	done   bool
}

func (imp *fakeImporter) Add(ctx context.Context, rows []kume.Establishment) error {
	imp.s.adds++
	for _, e := range rows {
		if _, dup := imp.staged[e.SourceID]; dup {
			return kume.Errorf(kume.EINVALID, "duplicate %q", e.SourceID)
		}
		e.DatasetID = imp.id
		imp.staged[e.SourceID] = e
	}
	return nil
}

func (imp *fakeImporter) Commit(ctx context.Context) (kume.ImportStats, error) {
	var st kume.ImportStats
	if imp.done {
		return st, kume.Errorf(kume.EINVALID, "finished")
	}
	imp.done = true
	if d := imp.opts.Dataset; d != nil {
		if d.Visibility == "" {
			d.Visibility = kume.DefaultVisibility
		}
		if err := imp.s.CreateDataset(ctx, d); err != nil {
			return st, err
		}
		imp.id = d.ID
	}
	cur := imp.s.rows[imp.id]
	for id, e := range imp.staged {
		old, ok := cur[id]
		switch {
		case !ok:
			st.Inserted++
		case old.ContentHash() == e.ContentHash():
			st.Unchanged++
		default:
			st.Updated++
		}
		cur[id] = e
	}
	if imp.opts.Replace {
		for id, e := range cur {
			if _, ok := imp.staged[id]; !ok && e.Closed == nil {
				t := imp.opts.ReplaceAt.UTC().Truncate(time.Second)
				e.Closed = &t
				cur[id] = e
				st.Closed++
			}
		}
	}
	return st, nil
}

func (imp *fakeImporter) Rollback(ctx context.Context) error {
	imp.done = true
	return nil
}
