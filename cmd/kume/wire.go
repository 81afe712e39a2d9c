package main

import (
	"context"
	"strconv"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/api"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/nace"
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

// chainCatalog serves api.ValueChainCatalog from the shipped definitions.
type chainCatalog struct{ tax *nace.Taxonomy }

// Default returns the shipped value chains.
func (c chainCatalog) Default() ([]kume.ValueChain, error) { return valuechain.Default() }

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

// Start requests a run and returns the id of its job; it conflicts with a
// run already going.
func (a analyzer) Start(ctx context.Context) (string, error) {
	if a.r.Status().Running {
		return "", kume.Errorf(kume.ECONFLICT, "an analysis is already running")
	}
	var owner int64
	if k := api.CallerKey(ctx); k != nil {
		owner = k.ID
	}
	id, err := a.jobs.request(ctx, owner)
	if err != nil {
		return "", err
	}
	if err := a.r.Request(); err != nil {
		return "", err
	}
	return id, nil
}

// Status reports the runner's state.
func (a analyzer) Status() api.AnalysisStatus {
	st := a.r.Status()
	out := api.AnalysisStatus{Running: st.Running || st.Pending, Stage: st.Stage, LastError: st.LastErr}
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

// ranker serves api.Ranker from the stored analysis results and geo.Rank.
type ranker struct{ store kume.Store }

// Rank builds the units of the requested kind from the current results and
// scores them.
func (k ranker) Rank(ctx context.Context, req api.RankRequest) (api.RankResult, error) {
	w := geo.DefaultWeights()
	for name, v := range req.Weights {
		w[name] = v
	}
	res := &kume.AnalysisResult{}
	var units []geo.RankUnit
	var err error
	switch req.Unit {
	case api.UnitRegion:
		if res.Regions, err = k.store.RegionStats(ctx, kume.RegionStatFilter{Level: req.Level, Sector: req.Sector}); err != nil {
			return api.RankResult{}, err
		}
		level := req.Level
		if level == "" {
			level = busiestLevel(res.Regions)
		}
		units = geo.RegionUnits(res, level, req.Sector)
	case api.UnitCluster, api.UnitCell:
		r, err := k.rankResolution(ctx, req)
		if err != nil {
			return api.RankResult{}, err
		}
		if res.Cells, err = k.store.CellStats(ctx, kume.CellFilter{Res: r, Sector: req.Sector}); err != nil {
			return api.RankResult{}, err
		}
		if req.Unit == api.UnitCluster {
			sector := req.Sector
			if res.Clusters, err = k.store.Clusters(ctx, kume.ClusterFilter{Sector: &sector, Res: r}); err != nil {
				return api.RankResult{}, err
			}
			units = geo.ClusterUnits(res, req.Sector, r)
		} else {
			all, err := k.store.CellStats(ctx, kume.CellFilter{Res: r, Sector: kume.SectorAll})
			if err != nil {
				return api.RankResult{}, err
			}
			res.Cells = append(res.Cells, all...)
			units = geo.CellUnits(res, req.Sector, r)
		}
	default:
		return api.RankResult{}, kume.Errorf(kume.EINVALID, "unit must be region, cluster or cell")
	}
	ranked, err := geo.Rank(units, w)
	if err != nil {
		return api.RankResult{}, err
	}
	out := api.RankResult{Method: "weighted sum of percentile ranks (0–100) of each component; see docs/METHODS.md", Weights: w}
	for i, r := range ranked {
		if req.Limit > 0 && i >= req.Limit {
			break
		}
		item := api.RankItem{Rank: r.Rank, ID: r.ID, Name: r.Name, Score: r.Score}
		for _, c := range r.Components {
			item.Components = append(item.Components, api.RankComponent{Name: c.Component, Value: c.Value,
				Normalised: c.Percentile, Weight: c.Weight, Contribution: c.Contribution})
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// busiestLevel returns the region level whose regions hold the most firms of
// the statistics' sector (ties: the first level by name).
func busiestLevel(stats []kume.RegionStat) string {
	firms := map[string]int{}
	for _, s := range stats {
		firms[s.Level] += s.Firms
	}
	best := ""
	for lv, n := range firms {
		if best == "" || n > firms[best] || (n == firms[best] && lv < best) {
			best = lv
		}
	}
	return best
}

// rankResolution reads the H3 resolution of a cluster or cell ranking. By
// default it is the resolution with the most footprints of the sector (ties:
// the finer), or 7 when the sector has none.
func (k ranker) rankResolution(ctx context.Context, req api.RankRequest) (int, error) {
	if req.Level == "" {
		sector := req.Sector
		cs, err := k.store.Clusters(ctx, kume.ClusterFilter{Sector: &sector})
		if err != nil {
			return 0, err
		}
		count := map[int]int{}
		best := 7
		for _, c := range cs {
			count[c.Res]++
		}
		for r, n := range count {
			if n > count[best] || (n == count[best] && r > best) {
				best = r
			}
		}
		return best, nil
	}
	r, err := strconv.Atoi(req.Level)
	if err != nil || r < 0 || r > 15 {
		return 0, kume.Errorf(kume.EINVALID, "level must be an H3 resolution for unit %s, got %q", req.Unit, req.Level)
	}
	return r, nil
}
