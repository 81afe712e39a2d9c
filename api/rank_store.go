package api

import (
	"context"
	"strconv"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// StoreRanker serves Ranker from a store's current analysis results with
// geo.Rank (method in docs/METHODS.md). Emerging computes the emerging
// component when a request weighs it (rank_emerging.go).
type StoreRanker struct {
	Store    kume.Store
	Emerging *emerging.Engine
}

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
		if err := k.nameRegions(ctx, level, units); err != nil {
			return RankResult{}, err
		}
	case UnitCluster:
		if res, err = k.clusterResults(ctx, req); err != nil {
			return RankResult{}, err
		}
		units = geo.ClusterUnits(res)
	case UnitCell:
		r, err := k.rankResolution(ctx, req)
		if err != nil {
			return RankResult{}, err
		}
		if res.Cells, err = k.Store.CellStats(ctx, kume.CellFilter{Res: r, Sector: req.Sector}); err != nil {
			return RankResult{}, err
		}
		all, err := k.Store.CellStats(ctx, kume.CellFilter{Res: r, Sector: kume.SectorAll})
		if err != nil {
			return RankResult{}, err
		}
		res.Cells = append(res.Cells, all...)
		units = geo.CellUnits(res, req.Sector, r)
	default:
		return RankResult{}, kume.Errorf(kume.EINVALID, "unit must be region, cluster or cell")
	}
	if w[geo.CompEmerging] > 0 {
		if err := k.emergingComponent(ctx, req, res.Clusters, units); err != nil {
			return RankResult{}, err
		}
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
		item := RankItem{Rank: r.Rank, ID: r.ID, Name: r.Name, NameTR: r.NameTR, Score: r.Score}
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

// clusterResults reads what a cluster ranking needs: the clusters of the
// sector (every sector's without one; those of one resolution when the
// request's level names one, else all: each place keeps its own), and the
// cell statistics of their cells, read cluster by cluster.
func (k StoreRanker) clusterResults(ctx context.Context, req RankRequest) (*kume.AnalysisResult, error) {
	f := kume.ClusterFilter{Sector: layer.ClusterSector(req.Sector)}
	if req.Level != "" {
		r, err := strconv.Atoi(req.Level)
		if err != nil || r < 0 || r > 15 {
			return nil, kume.Errorf(kume.EINVALID, "level must be an H3 resolution for unit %s, got %q", req.Unit, req.Level)
		}
		f.Res = r
	}
	cs, err := k.Store.Clusters(ctx, f)
	if err != nil {
		return nil, err
	}
	res := &kume.AnalysisResult{Clusters: cs}
	for i := range cs {
		if cs[i].Suppressed {
			continue
		}
		cells, err := k.Store.CellStats(ctx, kume.CellFilter{Res: cs[i].Res, Sector: cs[i].Sector, Cells: cs[i].Cells})
		if err != nil {
			return nil, err
		}
		res.Cells = append(res.Cells, cells...)
	}
	return res, nil
}

// nameRegions names region units ("level:code") after their regions; a
// region known only as an attribute value (no boundary loaded) is named by
// its code, which is that value.
func (k StoreRanker) nameRegions(ctx context.Context, level string, units []geo.RankUnit) error {
	regions, err := k.Store.Regions(ctx, kume.RegionFilter{Level: level})
	if err != nil {
		return err
	}
	names := make(map[string]string, len(regions))
	for _, r := range regions {
		names[r.Code] = r.Name
	}
	for i := range units {
		code := strings.TrimPrefix(units[i].ID, level+":")
		name := names[code]
		if name == "" {
			name = code
		}
		units[i].Name, units[i].NameTR = name, name
	}
	return nil
}
