package memory

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kume-geo/kume"
)

// datasetIndex returns the position of the dataset with the given id, or -1.
func (st *state) datasetIndex(id int64) int {
	i, ok := slices.BinarySearchFunc(st.datasets, id, func(d *kume.Dataset, id int64) int {
		return cmp.Compare(d.ID, id)
	})
	if !ok {
		return -1
	}
	return i
}

func (st *state) dataset(id int64) *kume.Dataset {
	if i := st.datasetIndex(id); i >= 0 {
		return st.datasets[i]
	}
	return nil
}

func (st *state) datasetByName(name string) *kume.Dataset {
	for _, d := range st.datasets {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// checkDataset validates the caller-set fields of a dataset.
func checkDataset(d *kume.Dataset) error {
	if strings.TrimSpace(d.Name) == "" {
		return kume.Errorf(kume.EINVALID, "a dataset needs a name")
	}
	if d.Visibility == "" {
		d.Visibility = kume.DefaultVisibility
	}
	if !d.Visibility.Valid() {
		return kume.Errorf(kume.EINVALID, "unknown visibility %q", d.Visibility)
	}
	return nil
}

// CreateDataset stores d, setting its ID. ECONFLICT when the name is taken.
func (s *Store) CreateDataset(ctx context.Context, d *kume.Dataset) error {
	if err := checkDataset(d); err != nil {
		return err
	}
	return s.write(ctx, func(next *state) (change, error) {
		nd, err := next.addDataset(d)
		if err != nil {
			return change{}, err
		}
		d.ID, d.Count, d.ImportedAt = nd.ID, 0, nd.ImportedAt
		return change{}, nil
	})
}

// addDataset adds a copy of d, checked, to next under a new id and returns it.
func (next *state) addDataset(d *kume.Dataset) (*kume.Dataset, error) {
	if next.datasetByName(d.Name) != nil {
		return nil, kume.Errorf(kume.ECONFLICT, "a dataset named %q exists", d.Name)
	}
	nd := *d
	nd.ID, nd.Count, nd.ImportedAt = next.nextDataset, 0, time.Time{}
	next.nextDataset++
	next.datasets = append(slices.Clip(next.datasets), &nd)
	return &nd, nil
}

// Dataset returns the dataset with the given id (ENOTFOUND if none).
func (s *Store) Dataset(ctx context.Context, id int64) (*kume.Dataset, error) {
	if d := s.snapshot().dataset(id); d != nil {
		c := *d
		return &c, nil
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", id)
}

// DatasetByName returns the dataset with the given name (ENOTFOUND if none).
func (s *Store) DatasetByName(ctx context.Context, name string) (*kume.Dataset, error) {
	if d := s.snapshot().datasetByName(name); d != nil {
		c := *d
		return &c, nil
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "dataset %q not found", name)
}

// Datasets lists every dataset ordered by id.
func (s *Store) Datasets(ctx context.Context) ([]*kume.Dataset, error) {
	st := s.snapshot()
	out := make([]*kume.Dataset, len(st.datasets))
	for i, d := range st.datasets {
		c := *d
		out[i] = &c
	}
	return out, nil
}

// UpdateDataset changes a dataset's name, descriptive fields and visibility;
// its Count and ImportedAt stay as the store keeps them.
func (s *Store) UpdateDataset(ctx context.Context, d *kume.Dataset) error {
	if err := checkDataset(d); err != nil {
		return err
	}
	return s.write(ctx, func(next *state) (change, error) {
		i := next.datasetIndex(d.ID)
		if i < 0 {
			return change{}, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", d.ID)
		}
		if o := next.datasetByName(d.Name); o != nil && o.ID != d.ID {
			return change{}, kume.Errorf(kume.ECONFLICT, "a dataset named %q exists", d.Name)
		}
		old := next.datasets[i]
		nd := *d
		nd.Count, nd.ImportedAt = old.Count, old.ImportedAt
		if nd.Visibility != old.Visibility {
			next.version++ // what public readers see changes
		}
		next.datasets = slices.Clone(next.datasets)
		next.datasets[i] = &nd
		return change{}, nil
	})
}

// DeleteDataset removes a dataset and all its establishments, the grants on
// it and the analyses of the scopes that name it.
func (s *Store) DeleteDataset(ctx context.Context, id int64) error {
	return s.write(ctx, func(next *state) (change, error) {
		i := next.datasetIndex(id)
		if i < 0 {
			return change{}, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", id)
		}
		next.datasets = slices.Delete(slices.Clone(next.datasets), i, i+1)
		var ch change
		if _, ok := next.tables[id]; ok {
			next.tables = maps.Clone(next.tables)
			delete(next.tables, id)
		}
		if f := next.estFiles[id]; f != "" {
			ch.drop = append(ch.drop, f)
		}
		if _, ok := next.estFiles[id]; ok {
			next.estFiles = maps.Clone(next.estFiles)
			delete(next.estFiles, id)
		}
		next.dropGrants(id)
		ch.drop = append(ch.drop, next.dropSlots(func(sl *scopeSlot) bool {
			return slices.Contains(sl.run.Scope.DatasetIDs(), id)
		})...)
		next.version++
		return ch, nil
	})
}
