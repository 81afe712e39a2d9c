package main

import (
	"context"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/api"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/valuechain"
)

// This file adapts the concrete services to the small interfaces the api
// package declares.

// sectorIndex serves api.SectorIndex from the NACE taxonomy.
func sectorIndex(tax *nace.Taxonomy) api.SectorIndex {
	levels := map[string]nace.Level{"section": nace.Section, "division": nace.Division, "group": nace.Group, "class": nace.Class}
	return api.SectorSearchFunc(func(q, level string, limit int) []api.Sector {
		hits := tax.Search(q, levels[level], limit)
		out := make([]api.Sector, len(hits))
		for i, h := range hits {
			out[i] = api.Sector{Code: h.Code, Level: h.Level.String(), Parent: h.Parent, NameEN: h.NameEN, NameTR: h.NameTR}
		}
		return out
	})
}

// chainCatalog serves api.ValueChainCatalog from the NACE taxonomy.
type chainCatalog struct{ tax *nace.Taxonomy }

// Validate checks one edited chain against the taxonomy.
func (c chainCatalog) Validate(vc kume.ValueChain) error {
	if err := valuechain.Validate([]kume.ValueChain{vc}, c.tax); err != nil {
		return kume.Errorf(kume.EINVALID, "%v", err)
	}
	return nil
}

// analyzer serves api.Analyzer from the analysis runner's background loop;
// its runs are kept as jobs.
type analyzer struct {
	r    *analysis.Runner
	jobs *analysisJobs
}

// Start requests a run of scope and returns the id of its job; it
// conflicts with a run already going.
func (a analyzer) Start(ctx context.Context, scope kume.AnalysisScope) (string, error) {
	if a.r.Status().Running {
		return "", kume.Errorf(kume.ECONFLICT, "an analysis is already running")
	}
	var owner int64
	if k := api.CallerKey(ctx); k != nil {
		owner = k.ID
	}
	id, err := a.jobs.request(ctx, owner, scope)
	if err != nil {
		return "", err
	}
	if err := a.r.Request(scope); err != nil {
		return "", err
	}
	return id, nil
}

// Status reports the runner's state.
func (a analyzer) Status() api.AnalysisStatus {
	st := a.r.Status()
	out := api.AnalysisStatus{Running: st.Running || st.Pending, Scope: st.Scope, Stage: st.Stage, LastError: st.LastErr}
	if st.Running {
		out.JobID = a.jobs.current()
		started := st.Started
		out.StartedAt = &started
	}
	if st.Total > 0 {
		out.Progress = float64(st.Done) / float64(st.Total)
	}
	return out
}

// storeHealth serves api.Deps.Health from a store that knows its database's
// reachability (PostGIS); nil for the embedded store.
func storeHealth(st kume.Store) func() api.StoreHealth {
	ps, ok := st.(interface{ Health() postgis.Health })
	if !ok {
		return nil
	}
	return func() api.StoreHealth {
		h := ps.Health()
		return api.StoreHealth{Reachable: h.Reachable, Since: h.Since, RetryAt: h.RetryAt, LastError: h.LastError,
			Attempts: h.Attempts, Failures: h.Failures, Deferred: h.Deferred}
	}
}
