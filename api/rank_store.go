package api

import (
	"context"
	"strconv"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// StoreRanker serves Ranker from a store's current analysis results with
// geo.Rank (method in docs/METHODS.md).
type StoreRanker struct{ Store kume.Store }

// Rank builds the units of the requested kind from the current results and
// scores them.
func (k StoreRanker) Rank(ctx context.Context, req RankRequest) (RankResult, error) {
	w := geo.DefaultWeights()
	for name, v := range req.Weights {
		w[name] = v
	}
	res := &kume.AnalysisResult{}
	var units []geo.RankUnit
	var err error
	switch req.Unit {
	case UnitRegion:
		if res.Regions, err = k.Store.RegionStats(ctx, kume.RegionStatFilter{Level: req.Level, Sector: req.Sector}); err != nil {
			return RankResult{}, err
		}
		level := req.Level
		if level == "" {
			level = busiestLevel(res.Regions)
		}
		units = geo.RegionUnits(res, level, req.Sector)
	case UnitCluster, UnitCell:
		r, err := k.rankResolution(ctx, req)
		if err != nil {
			return RankResult{}, err
		}
		if res.Cells, err = k.Store.CellStats(ctx, kume.CellFilter{Res: r, Sector: req.Sector}); err != nil {
			return RankResult{}, err
		}
		if req.Unit == UnitCluster {
			sector := req.Sector
			if res.Clusters, err = k.Store.Clusters(ctx, kume.ClusterFilter{Sector: &sector, Res: r}); err != nil {
				return RankResult{}, err
			}
			units = geo.ClusterUnits(res, req.Sector, r)
		} else {
			all, err := k.Store.CellStats(ctx, kume.CellFilter{Res: r, Sector: kume.SectorAll})
			if err != nil {
				return RankResult{}, err
			}
			res.Cells = append(res.Cells, all...)
			units = geo.CellUnits(res, req.Sector, r)
		}
	default:
		return RankResult{}, kume.Errorf(kume.EINVALID, "unit must be region, cluster or cell")
	}
	ranked, err := geo.Rank(units, w)
	if err != nil {
		return RankResult{}, err
	}
	out := RankResult{Method: "weighted sum of percentile ranks (0–100) of each component; see docs/METHODS.md", Weights: w}
	for i, r := range ranked {
		if req.Limit > 0 && i >= req.Limit {
			break
		}
		item := RankItem{Rank: r.Rank, ID: r.ID, Name: r.Name, Score: r.Score}
		for _, c := range r.Components {
			item.Components = append(item.Components, RankComponent{Name: c.Component, Value: c.Value,
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
// the finer), or layer.DefaultRes when the sector has none.
func (k StoreRanker) rankResolution(ctx context.Context, req RankRequest) (int, error) {
	if req.Level == "" {
		sector := req.Sector
		cs, err := k.Store.Clusters(ctx, kume.ClusterFilter{Sector: &sector})
		if err != nil {
			return 0, err
		}
		count := map[int]int{}
		best := layer.DefaultRes
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
