package api

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// StoreRanker serves Ranker from a store's current analysis results with
// geo.Rank (method in docs/METHODS.md). Sectors widens a cluster ranking's
// sector to the value chains that hold it (nil: the shipped taxonomy and the
// store's chains). Emerging computes the emerging component when a request
// weighs it (rank_emerging.go).
type StoreRanker struct {
	Store    kume.Store
	Sectors  *layer.Sectors
	Emerging *emerging.Engine
	// MaxCells caps the cells of one cell ranking (0: MaxRankCells).
	MaxCells int
}

// MaxRankCells is the default cap on the cells of one cell ranking: a
// ranking holds about 90 bytes per cell (geo.RankTop), so at most some 90
// MB. A resolution with more cells to rank is a 400 that says to take a
// coarser one.
const MaxRankCells = 1_000_000

// rankMethod names the ranking method in every answer.
const rankMethod = "weighted sum of percentile ranks (0–100) of each component; see docs/METHODS.md"

// Rank builds the units of the requested kind from the current results (of
// req.Store when set: the analysis the caller reads) and scores them.
func (k StoreRanker) Rank(ctx context.Context, req RankRequest) (RankResult, error) {
	if req.Store != nil {
		k.Store = req.Store
	}
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
		return k.rankCells(ctx, req, w)
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
	out := RankResult{Method: rankMethod, Weights: w}
	for i, r := range ranked {
		if req.Limit > 0 && i >= req.Limit {
			break
		}
		out.Items = append(out.Items, rankItem(r))
	}
	return out, nil
}

// rankItem presents one ranked unit.
func rankItem(r geo.Ranked) RankItem {
	item := RankItem{Rank: r.Rank, ID: r.ID, Name: r.Name, NameTR: r.NameTR, Score: r.Score}
	for _, c := range r.Components {
		item.Components = append(item.Components, RankComponent{Name: c.Component, Value: c.Value,
			Normalised: c.Percentile, Weight: c.Weight, Contribution: c.Contribution})
	}
	return item
}

// rankCells ranks the cells of the sector key at the request's resolution
// from two streams of the store: the all-firms statistics for the
// institutions in each cell (kept only for cells that have some) and the
// key's statistics, one compact row per ranked cell (geo.CellRankRow). Only
// the first Limit cells are expanded into items.
func (k StoreRanker) rankCells(ctx context.Context, req RankRequest, w geo.Weights) (RankResult, error) {
	r, err := k.rankResolution(ctx, req)
	if err != nil {
		return RankResult{}, err
	}
	inst := map[uint64]int{}
	if req.Sector != kume.SectorAll {
		err = kume.EachCellStat(ctx, k.Store, kume.CellFilter{Res: r, Sector: kume.SectorAll}, func(c *kume.CellStat) error {
			if n := institutions(c); n > 0 {
				inst[c.Cell] = n
			}
			return nil
		})
		if err != nil {
			return RankResult{}, err
		}
	}
	maxCells := k.MaxCells
	if maxCells <= 0 {
		maxCells = MaxRankCells
	}
	// The emerging component, when weighed: each cell's share (0 or 1) in
	// the emerging analysis of the sector at the resolution.
	var em *emerging.Answer
	emIdx := slices.Index(geo.RankComponents(), geo.CompEmerging)
	if w[geo.CompEmerging] > 0 {
		if em, err = k.emergingAnswer(ctx, req, req.Sector, r); err != nil {
			return RankResult{}, err
		}
	}
	var rows []geo.RankRow
	err = kume.EachCellStat(ctx, k.Store, kume.CellFilter{Res: r, Sector: req.Sector}, func(c *kume.CellStat) error {
		n := inst[c.Cell]
		if req.Sector == kume.SectorAll {
			n = institutions(c)
		}
		row, ok := geo.CellRankRow(c, n)
		if !ok {
			return nil
		}
		if len(rows) == maxCells {
			return kume.Errorf(kume.EINVALID, "level: more than %d cells to rank at resolution %d; choose a coarser resolution", maxCells, r)
		}
		if em != nil {
			row.Values[emIdx] = *geo.EmergingShare([]geo.Category{emergingCategory(em, c.Cell)})
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return RankResult{}, err
	}
	top, err := geo.RankTop(rows, w, req.Limit)
	if err != nil {
		return RankResult{}, err
	}
	out := RankResult{Method: rankMethod, Weights: w, Items: make([]RankItem, 0, len(top))}
	for _, t := range top {
		t.ID = geo.CellID(t.Key)
		out.Items = append(out.Items, rankItem(t.Ranked))
	}
	return out, nil
}

// institutions counts the institutions of an all-firms cell statistic.
func institutions(c *kume.CellStat) int {
	n := 0
	for _, v := range c.Institutions {
		n += v
	}
	return n
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
		cs, err := k.Store.Clusters(ctx, kume.ClusterFilter{Sectors: []string{req.Sector}})
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
// sector and of the value chains that hold it (every sector's without one;
// those of one resolution when the
// request's level names one, else all: each place keeps its own), and the
// cell statistics of their cells, read cluster by cluster.
func (k StoreRanker) clusterResults(ctx context.Context, req RankRequest) (*kume.AnalysisResult, error) {
	keys := k.Sectors
	if keys == nil {
		var err error
		if keys, err = layer.NewSectors(nil, k.Store); err != nil {
			return nil, err
		}
	}
	sectors, err := keys.ClusterKeys(ctx, req.Sector)
	if err != nil {
		return nil, err
	}
	f := kume.ClusterFilter{Sectors: sectors}
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
