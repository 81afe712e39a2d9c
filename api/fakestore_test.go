package api

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// fakeStore is an in-memory kume.Store for the HTTP tests.
type fakeStore struct {
	mu       sync.Mutex
	datasets []*kume.Dataset
	ests     []kume.Establishment
	regions  []kume.Region
	chains   []kume.ValueChain
	cells    []kume.CellStat
	clusters []kume.Cluster
	rstats   []kume.RegionStat
	run      *kume.AnalysisRun
	keys     []kume.APIKey
	version  int64
	jobs     map[string]kume.Job // see fakejobs_test.go
}

var _ kume.Store = (*fakeStore)(nil)

func notFound() error { return kume.Errorf(kume.ENOTFOUND, "not found") }

func (f *fakeStore) CreateDataset(_ context.Context, d *kume.Dataset) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.datasets {
		if x.Name == d.Name {
			return kume.Errorf(kume.ECONFLICT, "dataset name taken")
		}
	}
	d.ID = int64(len(f.datasets) + 1)
	c := *d
	f.datasets = append(f.datasets, &c)
	return nil
}

func (f *fakeStore) Dataset(_ context.Context, id int64) (*kume.Dataset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.datasets {
		if d.ID == id {
			c := *d
			return &c, nil
		}
	}
	return nil, notFound()
}

func (f *fakeStore) DatasetByName(_ context.Context, name string) (*kume.Dataset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.datasets {
		if d.Name == name {
			c := *d
			return &c, nil
		}
	}
	return nil, notFound()
}

func (f *fakeStore) Datasets(context.Context) ([]*kume.Dataset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*kume.Dataset, 0, len(f.datasets))
	for _, d := range f.datasets {
		c := *d
		out = append(out, &c)
	}
	return out, nil
}

func (f *fakeStore) UpdateDataset(_ context.Context, d *kume.Dataset) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.datasets {
		if x.ID == d.ID {
			c := *d
			c.Count, c.ImportedAt = x.Count, x.ImportedAt
			f.datasets[i] = &c
			return nil
		}
	}
	return notFound()
}

func (f *fakeStore) DeleteDataset(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, d := range f.datasets {
		if d.ID == id {
			f.datasets = append(f.datasets[:i], f.datasets[i+1:]...)
			return nil
		}
	}
	return notFound()
}

func (f *fakeStore) BeginImport(context.Context, int64, kume.ImportOptions) (kume.Importer, error) {
	return nil, kume.Errorf(kume.ENOTSUPPORTED, "no imports in the fake")
}

func (f *fakeStore) Establishment(_ context.Context, id int64) (*kume.Establishment, error) {
	for i := range f.ests {
		if f.ests[i].ID == id {
			e := f.ests[i]
			return &e, nil
		}
	}
	return nil, notFound()
}

func (f *fakeStore) match(flt kume.EstablishmentFilter, e *kume.Establishment) bool {
	if len(flt.DatasetIDs) > 0 {
		ok := false
		for _, id := range flt.DatasetIDs {
			ok = ok || id == e.DatasetID
		}
		if !ok {
			return false
		}
	}
	if len(flt.NACEPrefixes) > 0 {
		ok := false
		for _, p := range flt.NACEPrefixes {
			ok = ok || strings.HasPrefix(e.NACE, p)
		}
		if !ok {
			return false
		}
	}
	if flt.Kind != "" && e.Kind != flt.Kind || flt.Type != "" && e.Type != flt.Type {
		return false
	}
	if flt.BBox != nil && !flt.BBox.Contains(orb.Point{e.Lon, e.Lat}) {
		return false
	}
	if flt.PublicOnly {
		for _, d := range f.datasets {
			if d.ID == e.DatasetID && d.Visibility != kume.Public && !slices.Contains(flt.Granted, d.ID) {
				return false
			}
		}
	}
	return e.ID > flt.AfterID
}

func (f *fakeStore) Establishments(ctx context.Context, flt kume.EstablishmentFilter) ([]kume.Establishment, error) {
	var out []kume.Establishment
	err := f.EachEstablishment(ctx, flt, func(e *kume.Establishment) error { out = append(out, *e); return nil })
	return out, err
}

func (f *fakeStore) EachEstablishment(ctx context.Context, flt kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	n := 0
	for i := range f.ests {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := f.ests[i]
		if !f.match(flt, &e) {
			continue
		}
		if flt.Limit > 0 && n >= flt.Limit {
			return nil
		}
		n++
		if err := fn(&e); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeStore) CountEstablishments(_ context.Context, flt kume.EstablishmentFilter) (int, error) {
	flt.AfterID, flt.Limit = 0, 0
	n := 0
	for i := range f.ests {
		if f.match(flt, &f.ests[i]) {
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) DataVersion(context.Context) (int64, error) { return f.version, nil }

func (f *fakeStore) PutRegions(_ context.Context, r []kume.Region) error {
	f.regions = append(f.regions, r...)
	return nil
}

func (f *fakeStore) Regions(_ context.Context, flt kume.RegionFilter) ([]kume.Region, error) {
	var out []kume.Region
	for _, r := range f.regions {
		if flt.Level != "" && r.Level != flt.Level {
			continue
		}
		if len(flt.Codes) > 0 && !contains(flt.Codes, r.Code) {
			continue
		}
		if flt.BBox != nil && !flt.BBox.Intersects(r.Geometry.Bound()) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (f *fakeStore) Region(_ context.Context, level, code string) (*kume.Region, error) {
	for _, r := range f.regions {
		if r.Level == level && r.Code == code {
			c := r
			return &c, nil
		}
	}
	return nil, notFound()
}

func (f *fakeStore) ValueChains(context.Context) ([]kume.ValueChain, error) { return f.chains, nil }

func (f *fakeStore) PutValueChain(_ context.Context, vc kume.ValueChain) error {
	f.chains = append(f.chains, vc)
	return nil
}

func (f *fakeStore) DeleteValueChain(context.Context, string) error { return notFound() }

func (f *fakeStore) SaveAnalysis(context.Context, *kume.AnalysisResult) (int64, error) {
	return 0, kume.Errorf(kume.ENOTSUPPORTED, "fake")
}

func (f *fakeStore) LatestAnalysis(context.Context) (*kume.AnalysisRun, error) {
	if f.run == nil {
		return nil, notFound()
	}
	return f.run, nil
}

func (f *fakeStore) Analyses(context.Context) ([]kume.AnalysisRun, error) {
	if f.run == nil {
		return nil, nil
	}
	return []kume.AnalysisRun{*f.run}, nil
}

func (f *fakeStore) DeleteAnalysis(context.Context, kume.AnalysisScope) error {
	return kume.Errorf(kume.ENOTSUPPORTED, "fake")
}

func (f *fakeStore) GrantKey(_ context.Context, id int64, g kume.Grant) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.keys {
		if f.keys[i].ID == id {
			f.keys[i].Grants = append(f.keys[i].Grants, g)
			return nil
		}
	}
	return notFound()
}

func (f *fakeStore) RevokeGrant(context.Context, int64, int64) error {
	return kume.Errorf(kume.ENOTSUPPORTED, "fake")
}

func (f *fakeStore) CellStats(_ context.Context, flt kume.CellFilter) ([]kume.CellStat, error) {
	var out []kume.CellStat
	for _, c := range f.cells {
		if c.Res != flt.Res || c.Sector != flt.Sector {
			continue
		}
		if flt.Cells != nil {
			ok := false
			for _, x := range flt.Cells {
				ok = ok || x == c.Cell
			}
			if !ok {
				continue
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cell < out[j].Cell })
	return out, nil
}

func (f *fakeStore) Clusters(_ context.Context, flt kume.ClusterFilter) ([]kume.Cluster, error) {
	var out []kume.Cluster
	for _, c := range f.clusters {
		if flt.Sector != nil && c.Sector != *flt.Sector || flt.Res != 0 && c.Res != flt.Res {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeStore) Cluster(_ context.Context, _ int64, id string) (*kume.Cluster, error) {
	for _, c := range f.clusters {
		if c.ID == id {
			return &c, nil
		}
	}
	return nil, notFound()
}

func (f *fakeStore) RegionStats(_ context.Context, flt kume.RegionStatFilter) ([]kume.RegionStat, error) {
	var out []kume.RegionStat
	for _, s := range f.rstats {
		if (flt.Level == "" || s.Level == flt.Level) && s.Sector == flt.Sector && (len(flt.Codes) == 0 || contains(flt.Codes, s.Code)) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) CreateKey(_ context.Context, k *kume.APIKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k.ID = int64(len(f.keys) + 1)
	k.CreatedAt = time.Now()
	f.keys = append(f.keys, *k)
	return nil
}

func (f *fakeStore) KeyByHash(_ context.Context, hash []byte) (*kume.APIKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.keys {
		if bytes.Equal(k.Hash, hash) && k.RevokedAt == nil {
			c := k
			return &c, nil
		}
	}
	return nil, notFound()
}

func (f *fakeStore) Keys(context.Context) ([]kume.APIKey, error) { return f.keys, nil }

func (f *fakeStore) RevokeKey(context.Context, int64) error { return nil }

func (f *fakeStore) Ping(context.Context) error { return nil }

func (f *fakeStore) Close() error { return nil }
