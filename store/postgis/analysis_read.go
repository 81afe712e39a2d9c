package postgis

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

//go:embed queries/analysis_latest.sql
var analysisLatestSQL string

// LatestAnalysis returns the current run of the public analysis (ENOTFOUND
// before the first).
func (s *Store) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	rows, _ := s.pool.Query(ctx, analysisLatestSQL)
	run, err := pgx.CollectExactlyOneRow(rows, scanRun)
	if err != nil {
		return nil, wrap(ctx, err, "analysis run")
	}
	return &run, nil
}

//go:embed queries/analysis_list.sql
var analysisListSQL string

// Analyses returns the current run of every scope, the newest first.
func (s *Store) Analyses(ctx context.Context) ([]kume.AnalysisRun, error) {
	rows, _ := s.pool.Query(ctx, analysisListSQL)
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, wrap(ctx, err, "analysis runs")
	}
	return runs, nil
}

// scanRun scans a row of analysis_latest.sql or analysis_list.sql.
func scanRun(row pgx.CollectableRow) (kume.AnalysisRun, error) {
	var run kume.AnalysisRun
	var params, datasets, omitted []byte
	var scope string
	if err := row.Scan(&run.Version, &run.StartedAt, &run.FinishedAt, &params, &scope, &datasets, &omitted); err != nil {
		return run, err
	}
	run.StartedAt, run.FinishedAt, run.Scope = run.StartedAt.UTC(), run.FinishedAt.UTC(), kume.AnalysisScope(scope)
	if params != nil {
		run.Params = json.RawMessage(params)
	}
	for _, f := range []struct {
		b   []byte
		dst *[]kume.AnalysisDataset
	}{{datasets, &run.Datasets}, {omitted, &run.Omitted}} {
		if f.b == nil {
			continue
		}
		if err := json.Unmarshal(f.b, f.dst); err != nil {
			return run, fmt.Errorf("analysis run %d: datasets: %w", run.Version, err)
		}
	}
	return run, nil
}

//go:embed queries/analysis_delete_scope.sql
var analysisDeleteScopeSQL string

// DeleteAnalysis removes every kept analysis of a scope (ENOTFOUND when it
// has none): it forgets the scope's current version and prunes its runs,
// dropping their cell blocks (or leaves that to the next save when the
// prune cannot take its locks in time).
func (s *Store) DeleteAnalysis(ctx context.Context, scope kume.AnalysisScope) error {
	tag, err := s.pool.Exec(ctx, analysisDeleteScopeSQL, string(scope.Norm()))
	if err != nil {
		return wrap(ctx, err, "delete analysis")
	}
	if tag.RowsAffected() == 0 {
		return notFound("analysis of scope " + string(scope.Norm()))
	}
	// Housekeeping: the scope is gone for readers; a prune that gives up
	// (a long read holds the tables) is done again by the next save.
	_ = s.pruneAnalyses(ctx, s.keep)
	return nil
}

// CellStats returns the cell statistics matching f ordered by cell. With a
// bounding box, only cells whose centre lies in it match. It reads the cell
// blocks that hold the cells around the box, or the cells asked for, or all
// of the resolution and sector.
func (s *Store) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
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
	err := s.EachCellStat(ctx, f, func(c *kume.CellStat) error {
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

// EachCellStat calls fn with each cell statistic CellStats would return, in
// the same order, as the cell blocks are read, and stops at fn's first
// error: a reader of a whole resolution holds one block at a time, not all
// of them. fn must not keep the statistic or what it points to.
func (s *Store) EachCellStat(ctx context.Context, f kume.CellFilter, fn func(*kume.CellStat) error) error {
	d := &blockCells{box: f.BBox, institutions: true}
	var lo, hi []int64
	all := true
	if f.BBox != nil {
		lo, hi, all = boxRanges(*f.BBox, f.Res)
	}
	if f.Cells != nil {
		d.only = make(map[uint64]struct{}, len(f.Cells))
		for _, c := range f.Cells {
			d.only[c] = struct{}{}
		}
		if len(f.Cells) <= maxCellRanges {
			cl, ch := cellRanges(f.Cells, f.Res)
			if !all {
				cl, ch = intersectRanges(cl, ch, lo, hi)
			}
			lo, hi, all = cl, ch, false
		}
	}
	return s.eachBlockCell(ctx, f, lo, hi, all, d, fn)
}

// maxCellRanges is how many cells CellStats looks up one by one; for more it
// reads every block of the resolution and sector and keeps the cells asked
// for.
const maxCellRanges = 10000

// cellRanges returns the cells of resolution res among cells as ranges of one
// index each, ascending and without repeats.
func cellRanges(cells []uint64, res int) (lo, hi []int64) {
	for _, c := range cells {
		if kume.IsCellOf(c, res) {
			lo = append(lo, int64(c))
		}
	}
	slices.Sort(lo)
	lo = slices.Compact(lo)
	return lo, slices.Clone(lo)
}

// intersectRanges returns the parts of the ranges [al[i], ah[i]] that lie in
// ranges [bl[j], bh[j]]; both lists are ascending and disjoint, and so is the
// result.
func intersectRanges(al, ah, bl, bh []int64) (lo, hi []int64) {
	for i, j := 0, 0; i < len(al) && j < len(bl); {
		l, h := max(al[i], bl[j]), min(ah[i], bh[j])
		if l <= h {
			lo, hi = append(lo, l), append(hi, h)
		}
		if ah[i] < bh[j] {
			i++
		} else {
			j++
		}
	}
	return lo, hi
}

//go:embed queries/analysis_clusters.sql
var analysisClustersSQL string

// Clusters returns the footprints matching f ordered by id.
func (s *Store) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	minX, minY, maxX, maxY := bboxArgs(f.BBox)
	rows, _ := s.pool.Query(ctx, analysisClustersSQL, f.Version, f.Sectors, f.Res, minX, minY, maxX, maxY)
	out, err := pgx.CollectRows(rows, scanCluster)
	if err != nil {
		return nil, wrap(ctx, err, "clusters")
	}
	return out, nil
}

//go:embed queries/analysis_cluster.sql
var analysisClusterSQL string

// Cluster returns one footprint of an analysis version (0: the current
// public analysis; ENOTFOUND if none).
func (s *Store) Cluster(ctx context.Context, version int64, id string) (*kume.Cluster, error) {
	rows, _ := s.pool.Query(ctx, analysisClusterSQL, version, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCluster)
	if err != nil {
		return nil, wrap(ctx, err, "cluster")
	}
	return &c, nil
}

//go:embed queries/analysis_regions.sql
var analysisRegionsSQL string

// RegionStats returns the region statistics matching f ordered by code.
func (s *Store) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	var codes []string
	if len(f.Codes) > 0 {
		codes = f.Codes
	}
	rows, _ := s.pool.Query(ctx, analysisRegionsSQL, f.Version, f.Level, f.Sector, codes)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kume.RegionStat, error) {
		var r kume.RegionStat
		var firms, entries, exits, undated int32
		var stars int16
		err := row.Scan(&r.Level, &r.Code, &r.Sector, &firms, &r.Employees, &r.LQ, &r.LQEmployed,
			&stars, &r.Strong, &r.Suppressed, &entries, &exits, &undated)
		r.Firms, r.Stars, r.Entries, r.Exits, r.Undated = int(firms), int(stars), int(entries), int(exits), int(undated)
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
	var firms, focus int32
	var cells []int64
	var geom, profile, composition, ecosystem []byte
	var present, missing []string
	err := row.Scan(&c.ID, &c.Sector, &res, &c.Name, &cells, &geom, &firms, &c.Employees, &c.LQ,
		&c.Share, &stars, &c.Suppressed, &c.InstitutionsInside, &c.InstitutionsNear,
		&present, &missing, &c.Completeness, &profile, &c.NameTR, &c.Place, &c.Method, &focus,
		&c.Expected, &c.PValue, &c.LLR, &c.Strong, &composition, &ecosystem)
	if err != nil {
		return c, err
	}
	c.Res, c.Stars, c.Firms, c.FocusFirms = int(res), int(stars), int(firms), int(focus)
	if composition != nil {
		if err := json.Unmarshal(composition, &c.Composition); err != nil {
			return c, fmt.Errorf("cluster %s: composition: %w", c.ID, err)
		}
	}
	if ecosystem != nil {
		if err := json.Unmarshal(ecosystem, &c.Ecosystem); err != nil {
			return c, fmt.Errorf("cluster %s: ecosystem: %w", c.ID, err)
		}
	}
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
