package tiles

import (
	"context"
	"math"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// clusters writes the clusters layer: the footprints of the sector's clusters.
func (s *Service) clusters(ctx context.Context, tc *tileCtx, enc *layerEncoder) error {
	if tc.v.analysis == 0 {
		return nil
	}
	sector := tc.params.Sector
	cs, err := s.store.Clusters(ctx, kume.ClusterFilter{Version: tc.v.analysis, Sector: &sector, BBox: &tc.bbox})
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		mp := s.clusterTile(c, tc)
		if len(mp) == 0 {
			continue
		}
		enc.addPolygon(FeatureID("cluster", c.ID), true, mp, clusterProps(c))
	}
	return nil
}

// clusterTile returns a cluster's footprint in tile coordinates: its stored
// geometry, or the union of its cells' outlines when it has none.
func (s *Service) clusterTile(c *kume.Cluster, tc *tileCtx) orb.MultiPolygon {
	if len(c.Geometry) > 0 {
		return polygonsToTile(c.Geometry, tc, s.cfg.Simplify)
	}
	var mp orb.MultiPolygon
	for _, cell := range c.Cells {
		mp = append(mp, s.cellTile(cell, tc)...)
	}
	return mp
}

// clusterProps returns a cluster's properties. A suppressed cluster keeps its
// identity, stars and completeness but not its firm and employee counts or LQ.
func clusterProps(c *kume.Cluster) []prop {
	inst := 0
	for _, n := range c.InstitutionsInside {
		inst += n
	}
	props := []prop{
		pString("id", c.ID),
		pString("name", c.Name),
		pString("sector", c.Sector),
		pInt("res", int64(c.Res)),
		pInt("stars", int64(c.Stars)),
		pInt("institutions", int64(inst)),
		pBool("suppressed", c.Suppressed),
	}
	props = optFloat(props, "completeness", c.Completeness)
	if !c.Suppressed {
		props = append(props, pInt("firms", int64(c.Firms)), pFloat("employees", math.Round(c.Employees*10)/10))
		props = optFloat(props, "lq", c.LQ)
	}
	return props
}

// regions writes the regions layer: administrative boundaries with the
// sector's region statistics when an analysis exists.
func (s *Service) regions(ctx context.Context, tc *tileCtx, enc *layerEncoder) error {
	rs, err := s.store.Regions(ctx, kume.RegionFilter{Level: tc.params.Level, BBox: &tc.bbox})
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	stats := map[[2]string]*kume.RegionStat{}
	if tc.v.analysis != 0 {
		codes := make([]string, len(rs))
		for i, r := range rs {
			codes[i] = r.Code
		}
		st, err := s.store.RegionStats(ctx, kume.RegionStatFilter{Version: tc.v.analysis, Level: tc.params.Level, Sector: tc.params.Sector, Codes: codes})
		if err != nil {
			return err
		}
		for i := range st {
			stats[[2]string{st[i].Level, st[i].Code}] = &st[i]
		}
	}
	for i := range rs {
		r := &rs[i]
		mp := polygonsToTile(r.Geometry, tc, s.cfg.Simplify)
		if len(mp) == 0 {
			continue
		}
		enc.addPolygon(FeatureID("region", r.Level, r.Code), true, mp, regionProps(r, stats[[2]string{r.Level, r.Code}]))
	}
	return nil
}

// regionProps returns a region's properties and, when st is set, its
// statistics for the sector; a suppressed statistic keeps stars and strong but
// not counts or LQ.
func regionProps(r *kume.Region, st *kume.RegionStat) []prop {
	props := []prop{pString("code", r.Code), pString("name", r.Name), pString("level", r.Level)}
	if r.Parent != "" {
		props = append(props, pString("parent", r.Parent))
	}
	if st == nil {
		return props
	}
	props = append(props, pInt("stars", int64(st.Stars)), pBool("strong", st.Strong), pBool("suppressed", st.Suppressed))
	if !st.Suppressed {
		props = append(props, pInt("firms", int64(st.Firms)), pFloat("employees", math.Round(st.Employees*10)/10))
		props = optFloat(props, "lq", st.LQ)
		props = optFloat(props, "lq_employment", st.LQEmployed)
	}
	return props
}
