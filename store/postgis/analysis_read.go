package postgis

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

// LatestAnalysis returns the current run (ENOTFOUND before the first).
func (s *Store) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	var run kume.AnalysisRun
	var params []byte
	err := s.pool.QueryRow(ctx, s.q("analysis_latest")).Scan(&run.Version, &run.StartedAt, &run.FinishedAt, &params)
	if err != nil {
		return nil, wrap(ctx, err, "analysis run")
	}
	run.StartedAt, run.FinishedAt = run.StartedAt.UTC(), run.FinishedAt.UTC()
	if params != nil {
		run.Params = json.RawMessage(params)
	}
	return &run, nil
}

// CellStats returns the cell statistics matching f ordered by cell. With a
// bounding box, only cells whose centre lies in it match. It reads the cell
// blocks: those around the box, those of the cells asked for, or all of the
// resolution and sector.
func (s *Store) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	d := &blockCells{box: f.BBox, institutions: true}
	var blocks []int64
	all := true
	if f.BBox != nil {
		blocks, all = tileBlocks(*f.BBox, f.Res)
	}
	if f.Cells != nil {
		d.only = make(map[uint64]struct{}, len(f.Cells))
		var of []int64
		for _, c := range f.Cells {
			d.only[c] = struct{}{}
			if int(c>>52&0xf) == f.Res {
				of = append(of, blockOf(c, f.Res))
			}
		}
		slices.Sort(of)
		of = slices.Compact(of)
		if !all {
			of = intersectSorted(of, blocks)
		}
		blocks, all = of, false
	}
	out := []kume.CellStat{}
	var slab []float64
	keep := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		if len(slab) == cap(slab) {
			slab = make([]float64, 0, 1024)
		}
		slab = append(slab, *p)
		return &slab[len(slab)-1]
	}
	err := s.eachBlockCell(ctx, f, blocks, all, d, func(c *kume.CellStat) error {
		x := *c
		x.LQ, x.GiZ, x.GiP = keep(c.LQ), keep(c.GiZ), keep(c.GiP)
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// intersectSorted returns the values of a (ascending) that b (ascending) holds.
func intersectSorted(a, b []int64) []int64 {
	out := a[:0]
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			out = append(out, x)
		}
	}
	return out
}

// Clusters returns the footprints matching f ordered by id.
func (s *Store) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	minX, minY, maxX, maxY := bboxArgs(f.BBox)
	rows, _ := s.pool.Query(ctx, s.q("analysis_clusters"), f.Version, f.Sector, f.Res, minX, minY, maxX, maxY)
	out, err := pgx.CollectRows(rows, scanCluster)
	if err != nil {
		return nil, wrap(ctx, err, "clusters")
	}
	return out, nil
}

// Cluster returns one footprint of the current version (ENOTFOUND if none).
func (s *Store) Cluster(ctx context.Context, id string) (*kume.Cluster, error) {
	rows, _ := s.pool.Query(ctx, s.q("analysis_cluster"), id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCluster)
	if err != nil {
		return nil, wrap(ctx, err, "cluster")
	}
	return &c, nil
}

// RegionStats returns the region statistics matching f ordered by code.
func (s *Store) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	var codes []string
	if len(f.Codes) > 0 {
		codes = f.Codes
	}
	rows, _ := s.pool.Query(ctx, s.q("analysis_regions"), f.Version, f.Level, f.Sector, codes)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kume.RegionStat, error) {
		var r kume.RegionStat
		var firms, entries, exits int32
		var stars int16
		err := row.Scan(&r.Level, &r.Code, &r.Sector, &firms, &r.Employees, &r.LQ, &r.LQEmployed,
			&stars, &r.Strong, &r.Suppressed, &entries, &exits)
		r.Firms, r.Stars, r.Entries, r.Exits = int(firms), int(stars), int(entries), int(exits)
		return r, err
	})
	if err != nil {
		return nil, wrap(ctx, err, "region statistics")
	}
	return out, nil
}

func scanCluster(row pgx.CollectableRow) (kume.Cluster, error) {
	var c kume.Cluster
	var res, stars int16
	var firms int32
	var cells []int64
	var geom, profile []byte
	var present, missing []string
	err := row.Scan(&c.ID, &c.Sector, &res, &c.Name, &cells, &geom, &firms, &c.Employees, &c.LQ,
		&c.Share, &stars, &c.Suppressed, &c.InstitutionsInside, &c.InstitutionsNear,
		&present, &missing, &c.Completeness, &profile)
	if err != nil {
		return c, err
	}
	c.Res, c.Stars, c.Firms = int(res), int(stars), int(firms)
	c.Cells = make([]uint64, len(cells))
	for i, x := range cells {
		c.Cells[i] = uint64(x)
	}
	c.RolesPresent, c.RolesMissing = stringsToRoles(present), stringsToRoles(missing)
	if profile != nil {
		c.Profile = json.RawMessage(profile)
	}
	c.Geometry, err = multiPolygon(geom)
	return c, err
}

func stringsToRoles(ss []string) []kume.Role {
	if ss == nil {
		return nil
	}
	out := make([]kume.Role, len(ss))
	for i, s := range ss {
		out[i] = kume.Role(s)
	}
	return out
}
