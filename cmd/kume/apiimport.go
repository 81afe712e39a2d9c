package main

import (
	"context"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/api"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/nace"
)

// importer serves api.Importer with the same code as "kume import", and asks
// for an analysis after each committed import.
type importer struct {
	store  kume.Store
	tax    *nace.Taxonomy
	runner *analysis.Runner
}

func newImporter(st kume.Store, tax *nace.Taxonomy, r *analysis.Runner) api.Importer {
	return importer{store: st, tax: tax, runner: r}
}

// progressFunc adapts a callback to ingest.Progress.
type progressFunc struct {
	rows int
	fn   func(api.ImportProgress)
}

// Add implements ingest.Progress.
func (p *progressFunc) Add(n int) error {
	p.rows += n
	if p.fn != nil {
		p.fn(api.ImportProgress{Rows: p.rows})
	}
	return nil
}

// Import runs one upload as an all-or-nothing import.
func (im importer) Import(ctx context.Context, req api.ImportRequest, progress func(api.ImportProgress)) (api.ImportResult, error) {
	format, err := ingest.ParseFormat(req.Format)
	if err != nil {
		return api.ImportResult{}, kume.Errorf(kume.EINVALID, "%v", err)
	}
	gaz, err := ingest.LoadGazetteer(ctx, im.store)
	if err != nil {
		return api.ImportResult{}, err
	}
	var geocoder ingest.Geocoder
	if gaz != nil {
		geocoder = gaz
	}
	sum, err := ingest.Run(ctx, im.store, []ingest.Source{{Name: "upload", Reader: req.Body}}, ingest.Options{
		Dataset:  req.Dataset.Name,
		Format:   format,
		Replace:  req.Replace,
		OnError:  ingest.Abort,
		Geocoder: geocoder,
		NACE:     im.tax,
	}, &progressFunc{fn: progress})
	res := api.ImportResult{
		Stats:    kume.ImportStats{Inserted: sum.Inserted, Updated: sum.Updated, Unchanged: sum.Unchanged, Closed: sum.Closed},
		Accepted: sum.Read - sum.Rejected,
		Rejected: sum.Rejected,
	}
	for _, r := range sum.Rejects {
		res.Rejects = append(res.Rejects, api.ImportReject{Row: r.Line, Column: r.Column, Reason: r.Reason})
	}
	if err != nil {
		return res, err
	}
	if sum.Inserted+sum.Updated+sum.Closed > 0 {
		if err := im.runner.Request(); err != nil {
			return res, err
		}
	}
	return res, nil
}
