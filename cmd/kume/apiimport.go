package main

import (
	"context"
	"encoding/json"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/api"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/nace"
)

// importer serves api.Importer with the same code and options as "kume
// import", and asks for the analyses of every scope after each committed
// import.
type importer struct {
	store  kume.Store
	tax    *nace.Taxonomy
	runner *analysis.Runner
}

func newImporter(st kume.Store, tax *nace.Taxonomy, r *analysis.Runner) api.Importer {
	return importer{store: st, tax: tax, runner: r}
}

// Options lists the import options: ingest.OptionSpecs, the flags of kume
// import.
func (im importer) Options() []api.ImportOption {
	specs := ingest.OptionSpecs()
	out := make([]api.ImportOption, len(specs))
	for i, o := range specs {
		out[i] = api.ImportOption{Name: o.Name, Arg: o.Arg, Default: o.Default, Help: o.Help, Repeat: o.Repeat}
	}
	return out
}

// Check parses the options as kume import does.
func (im importer) Check(opts map[string][]string) error {
	var o ingest.Options
	return ingest.Settings(opts).Apply(&o)
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

// Import runs one upload: the options as kume import reads them, the offline
// gazetteer and the regions of the swapped-file check, into the existing
// dataset of the request.
func (im importer) Import(ctx context.Context, req api.ImportRequest, progress func(api.ImportProgress)) (api.ImportResult, error) {
	o := ingest.Options{Dataset: req.Dataset.Name, Existing: true, NACE: im.tax, Rejects: req.Rejects}
	if req.Format != "" {
		o.Format = ingest.Format(req.Format)
	}
	if err := ingest.Settings(req.Options).Apply(&o); err != nil {
		return api.ImportResult{}, err
	}
	gaz, err := ingest.LoadGazetteer(ctx, im.store)
	if err != nil {
		return api.ImportResult{}, err
	}
	if gaz != nil {
		o.Geocoder = gaz
	}
	if o.Areas, err = ingest.LoadAreas(ctx, im.store); err != nil {
		return api.ImportResult{}, err
	}
	sum, err := ingest.Run(ctx, im.store, []ingest.Source{{Name: "upload", Reader: req.Body}}, o, &progressFunc{fn: progress})
	res := api.ImportResult{
		Stats:          kume.ImportStats{Inserted: sum.Inserted, Updated: sum.Updated, Unchanged: sum.Unchanged, Closed: sum.Closed},
		Accepted:       sum.Read - sum.Rejected,
		Rejected:       sum.Rejected,
		RejectsOmitted: sum.RejectsOmitted,
		DryRun:         sum.DryRun,
	}
	for _, r := range sum.Rejects {
		res.Rejects = append(res.Rejects, api.ImportReject{Row: r.Line, Column: r.Column, Reason: r.Reason})
	}
	if b, merr := json.Marshal(sum); merr == nil {
		res.Summary = b
	}
	if err != nil {
		return res, err
	}
	if !sum.DryRun && sum.Inserted+sum.Updated+sum.Closed > 0 {
		if err := im.runner.RequestAll(); err != nil {
			return res, err
		}
	}
	return res, nil
}
