package api

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/kume-geo/kume"
)

// callerAccess returns what the request's caller may read and write of the
// datasets (kume.AccessOf its key).
func callerAccess(r *http.Request) kume.Access { return kume.AccessOf(CallerKey(r.Context())) }

// view is the store as one caller sees it, made for each request by
// Server.view: every read of establishments is restricted to the datasets
// the caller may read (kume.Access.Restrict), whatever the handler asked;
// datasets, establishments and jobs of other datasets are not found; and
// every read of analysis results reads the analysis the caller may read
// (kume.ChooseAnalysis), a version of none other. Writes of datasets and
// imports need write access to the dataset. Handlers read through it, so
// that a route cannot forget a caller's rights.
type view struct {
	kume.Store
	access kume.Access
	cat    *catalog

	once sync.Once
	run  *kume.AnalysisRun // the analysis the caller reads; nil when none
	err  error
}

var _ kume.Store = (*view)(nil)

// view returns the store as the request's caller sees it.
func (s *Server) view(r *http.Request) *view {
	return &view{Store: s.store, access: callerAccess(r), cat: s.catalog}
}

// Analysis returns the analysis the caller reads, nil when there is none it
// may read.
func (v *view) Analysis(ctx context.Context) (*kume.AnalysisRun, error) {
	v.once.Do(func() {
		runs, ds, err := v.cat.get(ctx)
		if err != nil {
			v.err = err
			return
		}
		v.run = kume.ChooseAnalysis(runs, ds, v.access)
	})
	return v.run, v.err
}

// version returns the analysis version a read asks for as the caller may
// read it: 0 asks for the caller's analysis; another version must be it.
// ok is false when the caller may read no analysis (the read then finds
// nothing, as before the first analysis).
func (v *view) version(ctx context.Context, asked int64) (version int64, ok bool, err error) {
	run, err := v.Analysis(ctx)
	switch {
	case err != nil:
		return 0, false, err
	case run == nil && asked == 0:
		return 0, false, nil
	case run == nil || (asked != 0 && asked != run.Version):
		return 0, false, kume.Errorf(kume.ENOTFOUND, "analysis version %d not found", asked)
	}
	return run.Version, true, nil
}

// LatestAnalysis returns the run of the analysis the caller reads
// (ENOTFOUND when none).
func (v *view) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	run, err := v.Analysis(ctx)
	if err != nil {
		return nil, err
	}
	if run == nil {
		return nil, kume.Errorf(kume.ENOTFOUND, "no analysis has run yet")
	}
	c := *run
	return &c, nil
}

// Analyses returns the run of the analysis the caller reads, if any.
func (v *view) Analyses(ctx context.Context) ([]kume.AnalysisRun, error) {
	run, err := v.Analysis(ctx)
	if err != nil || run == nil {
		return nil, err
	}
	return []kume.AnalysisRun{*run}, nil
}

// CellStats reads the cells of the caller's analysis.
func (v *view) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	ver, ok, err := v.version(ctx, f.Version)
	if !ok {
		return nil, err
	}
	f.Version = ver
	return v.Store.CellStats(ctx, f)
}

// EachCellStat streams the cells of the caller's analysis (see
// kume.CellStreamer), from the store's own stream when it has one.
func (v *view) EachCellStat(ctx context.Context, f kume.CellFilter, fn func(*kume.CellStat) error) error {
	ver, ok, err := v.version(ctx, f.Version)
	if !ok {
		return err
	}
	f.Version = ver
	return kume.EachCellStat(ctx, v.Store, f, fn)
}

// Clusters reads the clusters of the caller's analysis.
func (v *view) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	ver, ok, err := v.version(ctx, f.Version)
	if !ok {
		return nil, err
	}
	f.Version = ver
	return v.Store.Clusters(ctx, f)
}

// Cluster reads a cluster of the caller's analysis.
func (v *view) Cluster(ctx context.Context, version int64, id string) (*kume.Cluster, error) {
	ver, ok, err := v.version(ctx, version)
	if !ok {
		if err == nil {
			err = kume.Errorf(kume.ENOTFOUND, "cluster %q not found", id)
		}
		return nil, err
	}
	return v.Store.Cluster(ctx, ver, id)
}

// RegionStats reads the region statistics of the caller's analysis.
func (v *view) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	ver, ok, err := v.version(ctx, f.Version)
	if !ok {
		return nil, err
	}
	f.Version = ver
	return v.Store.RegionStats(ctx, f)
}

// Datasets lists the datasets the caller may read.
func (v *view) Datasets(ctx context.Context) ([]*kume.Dataset, error) {
	all, err := v.Store.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(d *kume.Dataset) bool { return !v.access.CanRead(d) }), nil
}

// Dataset returns a dataset the caller may read (ENOTFOUND otherwise).
func (v *view) Dataset(ctx context.Context, id int64) (*kume.Dataset, error) {
	d, err := v.Store.Dataset(ctx, id)
	if err == nil && !v.access.CanRead(d) {
		return nil, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", id)
	}
	return d, err
}

// DatasetByName returns a dataset the caller may read (ENOTFOUND otherwise).
func (v *view) DatasetByName(ctx context.Context, name string) (*kume.Dataset, error) {
	d, err := v.Store.DatasetByName(ctx, name)
	if err == nil && !v.access.CanRead(d) {
		return nil, kume.Errorf(kume.ENOTFOUND, "dataset %q not found", name)
	}
	return d, err
}

// writable returns dataset id when the caller may write it: ENOTFOUND when
// it may not even read it, EFORBIDDEN when it may read it only.
func (v *view) writable(ctx context.Context, id int64) (*kume.Dataset, error) {
	d, err := v.Dataset(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.access.CanWrite(d) {
		return nil, kume.Errorf(kume.EFORBIDDEN, "this key may not write dataset %q: it needs a write grant on it", d.Name)
	}
	return d, nil
}

// UpdateDataset changes a dataset the caller may write.
func (v *view) UpdateDataset(ctx context.Context, d *kume.Dataset) error {
	if _, err := v.writable(ctx, d.ID); err != nil {
		return err
	}
	return v.Store.UpdateDataset(ctx, d)
}

// DeleteDataset deletes a dataset the caller may write.
func (v *view) DeleteDataset(ctx context.Context, id int64) error {
	if _, err := v.writable(ctx, id); err != nil {
		return err
	}
	return v.Store.DeleteDataset(ctx, id)
}

// BeginImport imports into a dataset the caller may write; a new dataset
// (id 0) needs a key with the write scope.
func (v *view) BeginImport(ctx context.Context, id int64, opts kume.ImportOptions) (kume.Importer, error) {
	if id != 0 {
		if _, err := v.writable(ctx, id); err != nil {
			return nil, err
		}
	} else if !v.access.All() {
		return nil, kume.Errorf(kume.EFORBIDDEN, "this key may not create datasets by importing")
	}
	return v.Store.BeginImport(ctx, id, opts)
}

// Establishment returns an establishment of a dataset the caller may read
// (ENOTFOUND otherwise).
func (v *view) Establishment(ctx context.Context, id int64) (*kume.Establishment, error) {
	e, err := v.Store.Establishment(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.access.All() {
		if _, err := v.Dataset(ctx, e.DatasetID); err != nil {
			return nil, kume.Errorf(kume.ENOTFOUND, "no such establishment")
		}
	}
	return e, nil
}

// Establishments reads the establishments of f the caller may read.
func (v *view) Establishments(ctx context.Context, f kume.EstablishmentFilter) ([]kume.Establishment, error) {
	v.access.Restrict(&f)
	return v.Store.Establishments(ctx, f)
}

// EachEstablishment streams the establishments of f the caller may read.
func (v *view) EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	v.access.Restrict(&f)
	return v.Store.EachEstablishment(ctx, f, fn)
}

// CountEstablishments counts the establishments of f the caller may read.
func (v *view) CountEstablishments(ctx context.Context, f kume.EstablishmentFilter) (int, error) {
	v.access.Restrict(&f)
	return v.Store.CountEstablishments(ctx, f)
}

// mayReadJob reports whether the caller may see a job: its own (or any, for
// an admin) and, for an import, only while it may read the dataset.
func (v *view) mayReadJob(ctx context.Context, k *kume.APIKey, j *kume.Job) bool {
	switch {
	case v.access.All():
		return true
	case k == nil || k.ID != j.Owner:
		return false
	case j.DatasetID != 0:
		_, err := v.Dataset(ctx, j.DatasetID)
		return err == nil
	}
	return j.Kind != kume.JobAnalysis
}

// catalog keeps the analyses' runs and the datasets that choosing a
// caller's analysis reads, for up to catalogTTL: every read of analysis
// results needs them, tiles included. The server's own writes of datasets
// and analyses invalidate it at once; those of another process (the command
// line, another server on the database) are seen within catalogTTL.
type catalog struct {
	store kume.Store
	mu    sync.Mutex
	at    time.Time
	runs  []kume.AnalysisRun
	ds    []*kume.Dataset
}

// catalogTTL is how long the catalog trusts what it read, as long as the
// tile service trusts the data version it read (tiles.Config.VersionCheck).
const catalogTTL = time.Second

// get returns the current runs of every scope and the datasets.
func (c *catalog) get(ctx context.Context) ([]kume.AnalysisRun, []*kume.Dataset, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < catalogTTL {
		return c.runs, c.ds, nil
	}
	runs, err := c.store.Analyses(ctx)
	if err != nil {
		return nil, nil, err
	}
	ds, err := c.store.Datasets(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.runs, c.ds, c.at = runs, ds, time.Now()
	return runs, ds, nil
}

// invalidate makes the next get read the store.
func (c *catalog) invalidate() {
	c.mu.Lock()
	c.at = time.Time{}
	c.mu.Unlock()
}

// AnalysisSaved tells the server that an analysis was saved, so that the
// next request chooses its caller's analysis among the new runs at once
// rather than after catalogTTL.
func (s *Server) AnalysisSaved() { s.catalog.invalidate() }
