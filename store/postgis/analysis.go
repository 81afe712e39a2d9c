package postgis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/kume-geo/kume"
)

// SaveAnalysis stores r under a new data version in one transaction: the run,
// its cell statistics and their blocks for tiles (by COPY into the version's
// new partitions of cell_stats and cell_blocks, indexed and attached after
// the rows are in), its region statistics (by COPY) and its clusters, then
// moves the current-version pointer to it. Readers see the previous version
// until the commit. Afterwards versions beyond the newest kept ones are
// pruned (their partitions dropped).
//
// The data version stays locked while the results are written, so an import
// that commits meanwhile waits for it.
func (s *Store) SaveAnalysis(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	var version int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		v, err := s.bumpVersion(ctx, tx)
		if err != nil {
			return err
		}
		version = v
		run := r.Run
		if _, err := tx.Exec(ctx, s.q("analysis_insert_run"), v, run.StartedAt, run.FinishedAt, rawJSON(run.Params)); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		if err := s.execAnalysisPartition(ctx, tx, "analysis_create_partitions", v); err != nil {
			return fmt.Errorf("create partitions: %w", err)
		}
		name := "_" + strconv.FormatInt(v, 10)
		centres := map[uint64]centre{}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cell_stats" + name}, cellColumns(), newCellSource(r.Cells, v, centres)); err != nil {
			return fmt.Errorf("cell statistics: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cell_blocks" + name}, cellBlockColumns(), newBlockSource(r.Cells, v, centres)); err != nil {
			return fmt.Errorf("cell blocks: %w", err)
		}
		if err := s.execAnalysisPartition(ctx, tx, "analysis_index_partitions", v); err != nil {
			return fmt.Errorf("index partitions: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"region_stats"}, regionStatColumns(), &regionStatSource{stats: r.Regions, version: v, i: -1}); err != nil {
			return fmt.Errorf("region statistics: %w", err)
		}
		if err := s.insertClusters(ctx, tx, v, r.Clusters); err != nil {
			return fmt.Errorf("clusters: %w", err)
		}
		if err := s.attachPartitions(ctx, tx, v); err != nil {
			return fmt.Errorf("attach partitions: %w", err)
		}
		_, err = tx.Exec(ctx, s.q("analysis_set_current"), v)
		return err
	})
	if err != nil {
		return 0, wrap(ctx, err, "save analysis")
	}
	r.Run.Version = version
	// Pruning is housekeeping: the new version is committed whatever happens
	// here, and the next save prunes again.
	_ = s.pruneAnalyses(ctx, s.keep)
	return version, nil
}

func (s *Store) insertClusters(ctx context.Context, tx pgx.Tx, version int64, clusters []kume.Cluster) error {
	if len(clusters) == 0 {
		return nil
	}
	var b pgx.Batch
	for i := range clusters {
		c := &clusters[i]
		g, err := wkb.Marshal(c.Geometry)
		if err != nil {
			return fmt.Errorf("cluster %s geometry: %w", c.ID, err)
		}
		b.Queue(s.q("analysis_insert_cluster"), version, c.ID, c.Sector, int16(c.Res), c.Name,
			cellsToInt64(c.Cells), g, int32(c.Firms), c.Employees, c.LQ, c.Share,
			int16(c.Stars), c.Suppressed, c.InstitutionsInside, c.InstitutionsNear,
			rolesToStrings(c.RolesPresent), rolesToStrings(c.RolesMissing), c.Completeness, rawJSON(c.Profile))
	}
	return tx.SendBatch(ctx, &b).Close()
}

// rawJSON returns b for a json column, or nil (NULL) when empty.
func rawJSON(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func cellsToInt64(cells []uint64) []int64 {
	if cells == nil {
		return nil
	}
	out := make([]int64, len(cells))
	for i, c := range cells {
		out[i] = int64(c)
	}
	return out
}

func rolesToStrings(roles []kume.Role) []string {
	if roles == nil {
		return nil
	}
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

func cellColumns() []string {
	return []string{"version", "res", "sector", "cell", "lon", "lat", "firms", "closed",
		"employees", "employees_estimated", "imprecise", "lq", "gi_z", "gi_p", "gi_bin",
		"suppressed", "institutions"}
}

// cellSource feeds cell statistics to COPY. The same cell recurs in many
// sectors, so centres are computed once per cell (each is a call into H3);
// one row slice serves every row, as COPY encodes a row before it asks for
// the next.
type cellSource struct {
	cells   []kume.CellStat
	version int64
	i       int
	centres map[uint64]centre
	row     []any
}

// centre is a cell's centre; nil coordinates for an invalid cell.
type centre struct{ lon, lat *float64 }

// newCellSource returns the source of cells for version; centres caches cell
// centres.
func newCellSource(cells []kume.CellStat, version int64, centres map[uint64]centre) *cellSource {
	return &cellSource{cells: cells, version: version, i: -1, centres: centres,
		row: make([]any, len(cellColumns()))}
}

func (c *cellSource) Next() bool { c.i++; return c.i < len(c.cells) }
func (c *cellSource) Err() error { return nil }
func (c *cellSource) Values() ([]any, error) {
	x := &c.cells[c.i]
	ce, ok := c.centres[x.Cell]
	if !ok {
		ce.lon, ce.lat = cellCentre(x.Cell)
		c.centres[x.Cell] = ce
	}
	r := c.row
	r[0], r[1], r[2], r[3], r[4], r[5] = c.version, int16(x.Res), x.Sector, int64(x.Cell), ce.lon, ce.lat
	r[6], r[7], r[8], r[9], r[10] = int32(x.Firms), int32(x.Closed), x.Employees, x.EmployeesEstimated, int32(x.Imprecise)
	r[11], r[12], r[13], r[14], r[15], r[16] = x.LQ, x.GiZ, x.GiP, int16(x.GiBin), x.Suppressed, x.Institutions
	return r, nil
}

func regionStatColumns() []string {
	return []string{"version", "level", "code", "sector", "firms", "employees", "lq", "lq_employed",
		"stars", "strong", "suppressed", "entries", "exits"}
}

// regionStatSource feeds region statistics to COPY.
type regionStatSource struct {
	stats   []kume.RegionStat
	version int64
	i       int
}

func (c *regionStatSource) Next() bool { c.i++; return c.i < len(c.stats) }
func (c *regionStatSource) Err() error { return nil }
func (c *regionStatSource) Values() ([]any, error) {
	x := &c.stats[c.i]
	return []any{c.version, x.Level, x.Code, x.Sector, int32(x.Firms), x.Employees, x.LQ, x.LQEmployed,
		int16(x.Stars), x.Strong, x.Suppressed, int32(x.Entries), int32(x.Exits)}, nil
}
