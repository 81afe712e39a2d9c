package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// analysis is one analysis result. The current version is kept, and the one
// before it while the process runs.
type analysis struct {
	run kume.AnalysisRun
	// cells groups cell statistics by resolution and sector, each group
	// ordered by cell, with the cells' centres beside them.
	cells    map[cellGroup]*cellSet
	clusters []kume.Cluster // ordered by id
	bounds   []orb.Bound    // of clusters[i].Geometry
	regions  []kume.RegionStat
}

type cellGroup struct {
	res    int
	sector string
}

type cellSet struct {
	stats   []kume.CellStat
	centres []orb.Point
}

// cellCentre returns the centre of an H3 cell as (lon, lat).
func cellCentre(c uint64) orb.Point {
	ll := h3.Cell(c).LatLng()
	return orb.Point{ll.Lng, ll.Lat}
}

// newAnalysis builds the indexed form of r, which it takes over. centre
// gives the centre of a cell statistic; nil computes it with H3.
func newAnalysis(r *kume.AnalysisResult, centre func(i int) orb.Point) (*analysis, error) {
	a := &analysis{run: r.Run, cells: map[cellGroup]*cellSet{}}
	a.run.StartedAt, a.run.FinishedAt = a.run.StartedAt.UTC(), a.run.FinishedAt.UTC()
	for i := range r.Cells {
		c := r.Cells[i]
		g := cellGroup{c.Res, c.Sector}
		set := a.cells[g]
		if set == nil {
			set = &cellSet{}
			a.cells[g] = set
		}
		set.stats = append(set.stats, c)
		if centre != nil {
			set.centres = append(set.centres, centre(i))
		} else {
			set.centres = append(set.centres, cellCentre(c.Cell))
		}
	}
	for g, set := range a.cells {
		order := make([]int, len(set.stats))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(x, y int) int { return cmp.Compare(set.stats[x].Cell, set.stats[y].Cell) })
		sorted := &cellSet{stats: make([]kume.CellStat, len(order)), centres: make([]orb.Point, len(order))}
		for k, i := range order {
			sorted.stats[k], sorted.centres[k] = set.stats[i], set.centres[i]
			if k > 0 && sorted.stats[k].Cell == sorted.stats[k-1].Cell {
				return nil, kume.Errorf(kume.EINVALID, "cell %x appears twice at resolution %d for sector %q",
					sorted.stats[k].Cell, g.res, g.sector)
			}
		}
		a.cells[g] = sorted
	}
	a.clusters = r.Clusters
	slices.SortFunc(a.clusters, func(x, y kume.Cluster) int { return cmp.Compare(x.ID, y.ID) })
	a.bounds = make([]orb.Bound, len(a.clusters))
	for i := range a.clusters {
		if i > 0 && a.clusters[i].ID == a.clusters[i-1].ID {
			return nil, kume.Errorf(kume.EINVALID, "cluster id %q appears twice", a.clusters[i].ID)
		}
		a.bounds[i] = a.clusters[i].Geometry.Bound()
	}
	a.regions = r.Regions
	slices.SortFunc(a.regions, func(x, y kume.RegionStat) int {
		return cmp.Or(cmp.Compare(x.Code, y.Code), cmp.Compare(x.Level, y.Level), cmp.Compare(x.Sector, y.Sector))
	})
	return a, nil
}

// SaveAnalysis stores r under a new data version, which it returns and sets in
// r.Run.Version. The version it replaces stays readable until the next save
// or a restart.
func (s *Store) SaveAnalysis(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	own := &kume.AnalysisResult{Run: r.Run}
	own.Run.Params = cloneRaw(r.Run.Params)
	own.Cells = make([]kume.CellStat, len(r.Cells))
	for i, c := range r.Cells {
		own.Cells[i] = cloneCell(c)
	}
	own.Clusters = make([]kume.Cluster, len(r.Clusters))
	for i, c := range r.Clusters {
		own.Clusters[i] = cloneCluster(c)
	}
	own.Regions = make([]kume.RegionStat, len(r.Regions))
	for i, rs := range r.Regions {
		own.Regions[i] = cloneRegionStat(rs)
	}
	a, err := newAnalysis(own, nil)
	if err != nil {
		return 0, err
	}
	var version int64
	err = s.write(ctx, func(next *state) (change, error) {
		next.version++
		version = next.version
		a.run.Version = version
		next.previous, next.analysis = next.analysis, a
		return change{analysis: true}, nil
	})
	if err != nil {
		return 0, err
	}
	r.Run.Version = version
	return version, nil
}

// LatestAnalysis returns the current run (ENOTFOUND before the first).
func (s *Store) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	a := s.snapshot().analysis
	if a == nil {
		return nil, kume.Errorf(kume.ENOTFOUND, "no analysis has run yet")
	}
	run := a.run
	run.Params = cloneRaw(run.Params)
	return &run, nil
}

// current returns the analysis a filter asks for: nil before the first
// analysis, ENOTFOUND for a version that is not kept.
func (st *state) current(version int64) (*analysis, error) {
	a := st.analysis
	if a == nil || version == 0 || version == a.run.Version {
		return a, nil
	}
	if p := st.previous; p != nil && version == p.run.Version {
		return p, nil
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "analysis version %d is not kept (current is %d)", version, a.run.Version)
}

// CellStats returns the cell statistics matching f ordered by cell.
func (s *Store) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	a, err := s.snapshot().current(f.Version)
	if a == nil {
		return nil, err
	}
	set := a.cells[cellGroup{f.Res, f.Sector}]
	if set == nil {
		return nil, nil
	}
	keep := func(i int) bool {
		return f.BBox == nil || f.BBox.Contains(set.centres[i])
	}
	var out []kume.CellStat
	if f.Cells != nil {
		want := slices.Clone(f.Cells)
		slices.Sort(want)
		want = slices.Compact(want)
		for _, c := range want {
			i, ok := slices.BinarySearchFunc(set.stats, c, func(cs kume.CellStat, c uint64) int { return cmp.Compare(cs.Cell, c) })
			if ok && keep(i) {
				out = append(out, cloneCell(set.stats[i]))
			}
		}
		return out, nil
	}
	for i := range set.stats {
		if keep(i) {
			out = append(out, cloneCell(set.stats[i]))
		}
	}
	return out, nil
}

// Clusters returns the footprints matching f ordered by id.
func (s *Store) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	a, err := s.snapshot().current(f.Version)
	if a == nil {
		return nil, err
	}
	var out []kume.Cluster
	for i, c := range a.clusters {
		if (f.Sector != nil && c.Sector != *f.Sector) || (f.Res != 0 && c.Res != f.Res) ||
			(f.BBox != nil && !f.BBox.Intersects(a.bounds[i])) {
			continue
		}
		out = append(out, cloneCluster(c))
	}
	return out, nil
}

// Cluster returns one footprint of the current version (ENOTFOUND if none).
func (s *Store) Cluster(ctx context.Context, id string) (*kume.Cluster, error) {
	if a := s.snapshot().analysis; a != nil {
		i, ok := slices.BinarySearchFunc(a.clusters, id, func(c kume.Cluster, id string) int { return cmp.Compare(c.ID, id) })
		if ok {
			c := cloneCluster(a.clusters[i])
			return &c, nil
		}
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "cluster %q not found", id)
}

// RegionStats returns the region statistics matching f ordered by code.
func (s *Store) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	a, err := s.snapshot().current(f.Version)
	if a == nil {
		return nil, err
	}
	var out []kume.RegionStat
	for _, r := range a.regions {
		if (f.Level != "" && r.Level != f.Level) || r.Sector != f.Sector ||
			(len(f.Codes) > 0 && !slices.Contains(f.Codes, r.Code)) {
			continue
		}
		out = append(out, cloneRegionStat(r))
	}
	return out, nil
}
