package api

import (
	"context"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// exportExtraParams lists the parameters an export route accepts for a layer
// besides the layer's own filters: the firms and the cells of one cluster
// footprint can be downloaded with cluster=<id>.
func exportExtraParams(layer string) []string {
	if layer == export.LayerEstablishments || layer == export.LayerHexagons {
		return []string{"cluster"}
	}
	return nil
}

// clusterParam resolves the "cluster" parameter among the clusters of the
// caller's analysis (v). Without a sector the
// footprint's own sector is filled into p, so that the layer's sector filter
// and the provenance both name it.
func clusterParam(ctx context.Context, v *view, p params) (*kume.Cluster, error) {
	if !p.has("cluster") {
		return nil, nil
	}
	id := p.v.Get("cluster")
	if !clusterIDRE.MatchString(id) {
		return nil, invalid("cluster", "malformed cluster id")
	}
	if p.has("region") {
		return nil, invalid("cluster", "give region or cluster, not both")
	}
	c, err := v.Cluster(ctx, 0, id)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return nil, invalid("cluster", "no such cluster")
	}
	if err != nil {
		return nil, err
	}
	if !p.has("sector") && c.Sector != "" {
		p.v.Set("sector", c.Sector)
	}
	return c, nil
}

// applyCluster narrows a layer query to a cluster footprint: the hexagons
// layer to the footprint's cells, the establishments layer to the firms inside
// the footprint's boundary.
func applyCluster(p params, q *export.Query, c *kume.Cluster) error {
	switch q.Layer {
	case export.LayerHexagons:
		if p.has("res") && q.Res != c.Res {
			return invalid("res", "the cluster's cells are at resolution %d", c.Res)
		}
		q.Res = c.Res
		q.Cells = append([]uint64{}, c.Cells...)
		if len(q.Cells) == 0 {
			q.Cells = []uint64{0} // matches no cell
		}
	case export.LayerEstablishments:
		geom := c.Geometry
		if len(geom) == 0 {
			for _, cell := range c.Cells {
				if pg := export.CellPolygon(cell); pg != nil {
					geom = append(geom, pg)
				}
			}
		}
		if len(geom) == 0 {
			geom = orb.MultiPolygon{} // an empty footprint holds no firm
		}
		q.Region = &kume.Region{Level: "cluster", Code: c.ID, Name: c.Name, Geometry: geom}
	}
	return nil
}
