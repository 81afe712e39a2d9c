package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
)

// RegeocodeStore is what Regeocode needs of a kume.Store.
type RegeocodeStore interface {
	DatasetByName(ctx context.Context, name string) (*kume.Dataset, error)
	EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error
	BeginImport(ctx context.Context, datasetID int64, opts kume.ImportOptions) (kume.Importer, error)
}

// Regeocode geocodes again the establishments of a dataset that are placed
// more coarsely than target (or not at all), and stores those for which g finds
// a finer place, in one import. Establishments placed from the source's own
// coordinates are left alone. The summary counts the rows looked at (Read),
// the rows improved by precision (Geocoded) and what the store changed.
func Regeocode(ctx context.Context, st RegeocodeStore, dataset string, target kume.Precision, g Geocoder) (Summary, error) {
	start := time.Now()
	sum := Summary{Dataset: dataset, Geocoded: GeocodeStats{ByPrecision: map[string]int{}}}
	if !target.Valid() {
		return sum, kume.Errorf(kume.EINVALID, "unknown precision %q", target)
	}
	if g == nil {
		return sum, kume.Errorf(kume.EINVALID, "no geocoder")
	}
	ds, err := st.DatasetByName(ctx, dataset)
	if err != nil {
		return sum, fmt.Errorf("ingest: dataset %q: %w", dataset, err)
	}
	var changed []kume.Establishment
	err = st.EachEstablishment(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{ds.ID}}, func(e *kume.Establishment) error {
		rank := e.Precision.Rank()
		if e.GeocodeSource == "source" || (rank >= 0 && rank <= target.Rank()) {
			return nil
		}
		sum.Read++
		q := queryOf(e)
		if q.Empty() {
			return nil
		}
		res, ok, err := g.Geocode(ctx, q)
		if err != nil {
			return err
		}
		if !ok || (rank >= 0 && res.Precision.Rank() >= rank) {
			return nil
		}
		cell, err := geo.CellOf(res.Lon, res.Lat, kume.BaseResolution)
		if err != nil {
			return nil
		}
		c := *e
		c.Lon, c.Lat, c.Precision, c.GeocodeSource, c.Cell = res.Lon, res.Lat, res.Precision, res.Source, cell
		changed = append(changed, c)
		sum.Geocoded.ByPrecision[string(res.Precision)]++
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("ingest: geocoding: %w", err)
	}
	sum.Seconds = time.Since(start).Seconds()
	if len(changed) == 0 {
		return sum, nil
	}
	imp, err := st.BeginImport(ctx, ds.ID, kume.ImportOptions{})
	if err != nil {
		return sum, fmt.Errorf("ingest: begin import: %w", err)
	}
	defer func() { _ = imp.Rollback(context.WithoutCancel(ctx)) }()
	for i := 0; i < len(changed); i += 5000 {
		if err := imp.Add(ctx, changed[i:min(i+5000, len(changed))]); err != nil {
			return sum, fmt.Errorf("ingest: adding rows: %w", err)
		}
	}
	stats, err := imp.Commit(ctx)
	if err != nil {
		return sum, fmt.Errorf("ingest: commit: %w", err)
	}
	sum.Inserted, sum.Updated, sum.Unchanged = stats.Inserted, stats.Updated, stats.Unchanged
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}
