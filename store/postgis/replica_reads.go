package postgis

import (
	"context"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// The reads a Replicated store sends to its replicas: what the data version
// covers. Every other method is the primary's.

// Establishment returns one establishment by its store id (ENOTFOUND if none).
func (r *Replicated) Establishment(ctx context.Context, id int64) (*kume.Establishment, error) {
	var out *kume.Establishment
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.Establishment(ctx, id); return err })
	return out, err
}

// Establishments returns the establishments matching f ordered by ID.
func (r *Replicated) Establishments(ctx context.Context, f kume.EstablishmentFilter) ([]kume.Establishment, error) {
	var out []kume.Establishment
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.Establishments(ctx, f); return err })
	return out, err
}

// EachEstablishment streams the establishments matching f ordered by ID. A
// replica that fails before the first row hands the read to the primary.
func (r *Replicated) EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	return r.read(ctx, func(s *Store) error {
		sent := false
		err := s.EachEstablishment(ctx, f, func(e *kume.Establishment) error { sent = true; return fn(e) })
		if err != nil && sent {
			return &streamedError{err}
		}
		return err
	})
}

// CountEstablishments counts the establishments matching f.
func (r *Replicated) CountEstablishments(ctx context.Context, f kume.EstablishmentFilter) (int, error) {
	var n int
	err := r.read(ctx, func(s *Store) (err error) { n, err = s.CountEstablishments(ctx, f); return err })
	return n, err
}

// LatestAnalysis returns the current run (ENOTFOUND before the first).
func (r *Replicated) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	var out *kume.AnalysisRun
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.LatestAnalysis(ctx); return err })
	return out, err
}

// CellStats returns the cell statistics matching f ordered by cell.
func (r *Replicated) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	var out []kume.CellStat
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.CellStats(ctx, f); return err })
	return out, err
}

// TileCells streams the cells of a hexagon tile (see Store.TileCells). A
// replica that fails before the first cell hands the read to the primary.
func (r *Replicated) TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	return r.read(ctx, func(s *Store) error {
		sent := false
		err := s.TileCells(ctx, f, func(c *kume.CellStat) error { sent = true; return fn(c) })
		if err != nil && sent {
			return &streamedError{err}
		}
		return err
	})
}

// EachCellStat streams the cell statistics CellStats would return (see
// Store.EachCellStat). A replica that fails before the first statistic
// hands the read to the primary.
func (r *Replicated) EachCellStat(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	return r.read(ctx, func(s *Store) error {
		sent := false
		err := s.EachCellStat(ctx, f, func(c *kume.CellStat) error { sent = true; return fn(c) })
		if err != nil && sent {
			return &streamedError{err}
		}
		return err
	})
}

// Clusters returns the footprints matching f ordered by id.
func (r *Replicated) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	var out []kume.Cluster
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.Clusters(ctx, f); return err })
	return out, err
}

// Cluster returns one footprint of an analysis version (0: the current public
// analysis; ENOTFOUND if none).
func (r *Replicated) Cluster(ctx context.Context, version int64, id string) (*kume.Cluster, error) {
	var out *kume.Cluster
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.Cluster(ctx, version, id); return err })
	return out, err
}

// RegionStats returns the region statistics matching f ordered by code.
func (r *Replicated) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	var out []kume.RegionStat
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.RegionStats(ctx, f); return err })
	return out, err
}

// EncodeLayer encodes one layer of a tile with ST_AsMVT (see Store.EncodeLayer).
func (r *Replicated) EncodeLayer(ctx context.Context, q layer.TileQuery) ([]byte, error) {
	var out []byte
	err := r.read(ctx, func(s *Store) (err error) { out, err = s.EncodeLayer(ctx, q); return err })
	return out, err
}

// The writes that move the data version: the next read asks the primary
// for the version first, so that it sees them.

// BeginImport starts an import transaction on the primary (see Store.BeginImport).
func (r *Replicated) BeginImport(ctx context.Context, datasetID int64, opts kume.ImportOptions) (kume.Importer, error) {
	imp, err := r.Store.BeginImport(ctx, datasetID, opts)
	if err != nil {
		return nil, err
	}
	return &replicatedImport{Importer: imp, r: r}, nil
}

// replicatedImport is an import whose commit the store's reads then wait for.
type replicatedImport struct {
	kume.Importer
	r *Replicated
}

// Commit applies the staged rows on the primary.
func (i *replicatedImport) Commit(ctx context.Context) (kume.ImportStats, error) {
	st, err := i.Importer.Commit(ctx)
	i.r.wrote()
	return st, err
}

// SaveAnalysis stores r on the primary under a new data version.
func (r *Replicated) SaveAnalysis(ctx context.Context, res *kume.AnalysisResult) (int64, error) {
	v, err := r.Store.SaveAnalysis(ctx, res)
	r.wrote()
	return v, err
}

// BeginAnalysis starts saving an analysis on the primary (see Store.BeginAnalysis).
func (r *Replicated) BeginAnalysis(ctx context.Context, cells int) (kume.AnalysisWriter, error) {
	w, err := r.Store.BeginAnalysis(ctx, cells)
	if err != nil {
		return nil, err
	}
	return &replicatedAnalysis{AnalysisWriter: w, r: r}, nil
}

// replicatedAnalysis is an analysis save whose commit the store's reads then
// wait for.
type replicatedAnalysis struct {
	kume.AnalysisWriter
	r *Replicated
}

// Commit makes the analysis the current version on the primary.
func (a *replicatedAnalysis) Commit(ctx context.Context, res *kume.AnalysisResult) (int64, error) {
	v, err := a.AnalysisWriter.Commit(ctx, res)
	a.r.wrote()
	return v, err
}

// UpdateDataset changes a dataset on the primary (a visibility change moves
// the data version).
func (r *Replicated) UpdateDataset(ctx context.Context, d *kume.Dataset) error {
	err := r.Store.UpdateDataset(ctx, d)
	r.wrote()
	return err
}

// DeleteDataset removes a dataset on the primary.
func (r *Replicated) DeleteDataset(ctx context.Context, id int64) error {
	err := r.Store.DeleteDataset(ctx, id)
	r.wrote()
	return err
}

// DataVersion returns the primary's data version, which reads then need.
func (r *Replicated) DataVersion(ctx context.Context) (int64, error) {
	v, err := r.Store.DataVersion(ctx)
	if err == nil {
		r.learn(v)
	}
	return v, err
}
