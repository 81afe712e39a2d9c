package api

import (
	"context"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
)

// emergingAnswer returns the emerging hot spot analysis of a sector key at
// a resolution with the default options, as the caller of req sees it.
func (k StoreRanker) emergingAnswer(ctx context.Context, req RankRequest, sector string, res int) (*emerging.Answer, error) {
	if k.Emerging == nil {
		return nil, kume.Errorf(kume.ENOTSUPPORTED, "the emerging component is not configured")
	}
	o := emerging.DefaultOptions()
	o.Res = res
	ans, _, err := k.Emerging.Run(ctx, emerging.Request{Options: o, Sector: sector, Public: req.Public,
		View: req.Store, ViewKey: req.ViewKey})
	return ans, err
}

// emergingCategory returns a cell's category in an answer (no pattern when
// the answer has no such cell).
func emergingCategory(ans *emerging.Answer, cell uint64) geo.Category {
	if c, ok := ans.Cell(cell); ok {
		return geo.Category(c.Category)
	}
	return geo.NoPattern
}

// maxEmergingKeys bounds the emerging analyses one ranking asks for: one per
// sector key and resolution of the ranked clusters.
const maxEmergingKeys = 12

// emergingComponent sets the emerging component of the units: the share of
// each unit's cells that are emerging hot spots (geo.EmergingShare) in the
// emerging hot spot analysis of its sector key at its resolution, with the
// default options (ten yearly steps to the latest date of the data), as the
// caller may see it. A cluster reads the analysis of its own key and
// resolution; cells get theirs in rankCells. Regions are not sets of cells
// of one resolution: their component stays unknown (docs/METHODS.md).
func (k StoreRanker) emergingComponent(ctx context.Context, req RankRequest, clusters []kume.Cluster, units []geo.RankUnit) error {
	if req.Unit == UnitRegion || len(units) == 0 {
		return nil
	}
	run := func(sector string, res int) (*emerging.Answer, error) { return k.emergingAnswer(ctx, req, sector, res) }
	category := emergingCategory
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
