package api

import (
	"context"
	"strconv"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
)

// maxEmergingKeys bounds the emerging analyses one ranking asks for: one per
// sector key and resolution of the ranked clusters.
const maxEmergingKeys = 12

// emergingComponent sets the emerging component of the units: the share of
// each unit's cells that are emerging hot spots (geo.EmergingShare) in the
// emerging hot spot analysis of its sector key at its resolution, with the
// default options (ten yearly steps to the latest date of the data), as the
// caller may see it. A cell is a unit of the request's sector; a cluster
// reads the analysis of its own key and resolution. Regions are not sets of
// cells of one resolution: their component stays unknown (docs/METHODS.md).
func (k StoreRanker) emergingComponent(ctx context.Context, req RankRequest, clusters []kume.Cluster, units []geo.RankUnit) error {
	if req.Unit == UnitRegion || len(units) == 0 {
		return nil
	}
	if k.Emerging == nil {
		return kume.Errorf(kume.ENOTSUPPORTED, "the emerging component is not configured")
	}
	run := func(sector string, res int) (*emerging.Answer, error) {
		o := emerging.DefaultOptions()
		o.Res = res
		ans, _, err := k.Emerging.Run(ctx, emerging.Request{Options: o, Sector: sector, Public: req.Public,
			View: req.Store, ViewKey: req.ViewKey})
		return ans, err
	}
	category := func(ans *emerging.Answer, cell uint64) geo.Category {
		if c, ok := ans.Cell(cell); ok {
			return geo.Category(c.Category)
		}
		return geo.NoPattern
	}
	if req.Unit == UnitCell {
		cell, err := strconv.ParseUint(units[0].ID, 16, 64)
		if err != nil {
			return err
		}
		ans, err := run(req.Sector, geo.CellResolution(cell))
		if err != nil {
			return err
		}
		for i := range units {
			c, err := strconv.ParseUint(units[i].ID, 16, 64)
			if err != nil {
				return err
			}
			units[i].Values[geo.CompEmerging] = geo.EmergingShare([]geo.Category{category(ans, c)})
		}
		return nil
	}
	type key struct {
		sector string
		res    int
	}
	byID := map[string]*kume.Cluster{}
	keys := map[key]bool{}
	for i := range clusters {
		byID[clusters[i].ID] = &clusters[i]
	}
	for _, u := range units {
		if c := byID[u.ID]; c != nil {
			keys[key{c.Sector, c.Res}] = true
		}
	}
	if len(keys) > maxEmergingKeys {
		return kume.Errorf(kume.EINVALID, "the emerging component needs one emerging analysis per sector and resolution of the ranked clusters: %d here, more than %d; name a sector or a resolution (level)", len(keys), maxEmergingKeys)
	}
	answers := map[key]*emerging.Answer{}
	for kk := range keys {
		ans, err := run(kk.sector, kk.res)
		if err != nil {
			return err
		}
		answers[kk] = ans
	}
	for i := range units {
		c := byID[units[i].ID]
		if c == nil {
			continue
		}
		ans := answers[key{c.Sector, c.Res}]
		cats := make([]geo.Category, len(c.Cells))
		for j, cell := range c.Cells {
			cats[j] = category(ans, cell)
		}
		units[i].Values[geo.CompEmerging] = geo.EmergingShare(cats)
	}
	return nil
}
