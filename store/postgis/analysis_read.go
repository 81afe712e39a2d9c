package postgis

import (
	"context"
	"encoding/json"

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
// bounding box, only valid H3 cells of f.Res whose centre lies in it match.
func (s *Store) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	var cells []int64
	if f.Cells != nil {
		cells = cellsToInt64(f.Cells)
	}
	if f.BBox != nil {
		return s.cellStatsInBox(ctx, f, cells)
	}
	rows, _ := s.pool.Query(ctx, s.q("analysis_cells"), f.Version, f.Res, f.Sector, cells)
	out, err := pgx.CollectRows(rows, scanCellStat)
	if err != nil {
		return nil, wrap(ctx, err, "cell statistics")
	}
	return out, nil
}

// cellStatsInBox is CellStats with a bounding box: it reads the ranges of
// cell indexes around the box through the primary key. The read runs in a
// transaction with JIT compilation off, which for a read of a few thousand
// rows costs far more than it saves (the planner's estimate of the range
// reads is well above jit_above_cost); the four statements make one round
// trip.
func (s *Store) cellStatsInBox(ctx context.Context, f kume.CellFilter, cells []int64) ([]kume.CellStat, error) {
	b := f.BBox
	lo, hi := cellRanges(*b, f.Res)
	batch := &pgx.Batch{}
	batch.Queue("BEGIN READ ONLY")
	batch.Queue("SET LOCAL jit = off")
	batch.Queue(s.q("analysis_cells_box"), f.Version, f.Res, f.Sector, lo, hi,
		b.Min[0], b.Min[1], b.Max[0], b.Max[1], cells)
	batch.Queue("COMMIT")
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return nil, wrap(ctx, err, "cell statistics")
		}
	}
	rows, _ := br.Query()
	out, err := pgx.CollectRows(rows, scanCellStat)
	if err != nil {
		return nil, wrap(ctx, err, "cell statistics")
	}
	if _, err := br.Exec(); err != nil {
		return nil, wrap(ctx, err, "cell statistics")
	}
	return out, nil
}

// scanCellStat scans a row of analysis_cells or analysis_cells_box.
func scanCellStat(row pgx.CollectableRow) (kume.CellStat, error) {
	var c kume.CellStat
	var res, giBin int16
	var cell int64
	var firms, closed, imprecise int32
	err := row.Scan(&res, &cell, &c.Sector, &firms, &closed, &c.Employees, &c.EmployeesEstimated,
		&imprecise, &c.LQ, &c.GiZ, &c.GiP, &giBin, &c.Suppressed, &c.Institutions)
	c.Res, c.Cell, c.Firms, c.Closed, c.Imprecise, c.GiBin =
		int(res), uint64(cell), int(firms), int(closed), int(imprecise), int(giBin)
	return c, err
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
