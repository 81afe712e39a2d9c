package memory

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// analysis is one analysis result. The current version is kept, and the one
// before it while the process runs.
type analysis struct {
	run kume.AnalysisRun
	// all holds every cell statistic ordered by (resolution, sector, cell),
	// centres the cells' centres beside them; cells indexes the groups of
	// one resolution and sector, sub-slices of the two. An analysis read
	// from a file with a group index has none of them in memory: src
	// decodes its groups one at a time.
	all      []kume.CellStat
	centres  []orb.Point
	cells    map[cellGroup]*cellSet
	src      *groupFile
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

// cellSet returns the cells of group g, nil if it has none.
func (a *analysis) cellSet(g cellGroup) (*cellSet, error) {
	if a.src != nil {
		return a.src.get(g)
	}
	return a.cells[g], nil
}

// rows returns the number of cell statistics.
func (a *analysis) rows() int {
	if a.src != nil {
		return a.src.count
	}
	return len(a.all)
}

// eachGroup calls fn with every group in (resolution, sector) order, and
// stops at its first error. The groups of a file are decoded for the call,
// not cached.
func (a *analysis) eachGroup(fn func(set *cellSet) error) error {
	if a.src != nil {
		for i := range a.src.index.spans {
			set, _, err := a.src.decode(i)
			if err != nil {
				return err
			}
			if err := fn(set); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < len(a.all); {
		j := i + 1
		for j < len(a.all) && a.all[j].Res == a.all[i].Res && a.all[j].Sector == a.all[i].Sector {
			j++
		}
		if err := fn(&cellSet{stats: a.all[i:j:j], centres: a.centres[i:j:j]}); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// cellCentre returns the centre of an H3 cell as (lon, lat).
func cellCentre(c uint64) orb.Point {
	ll := h3.Cell(c).LatLng()
	return orb.Point{ll.Lng, ll.Lat}
}

// compareCells orders cell statistics by resolution, sector and cell.
func compareCells(x, y *kume.CellStat) int {
	if x.Res != y.Res {
		return cmp.Compare(x.Res, y.Res)
	}
	if x.Sector != y.Sector {
		return strings.Compare(x.Sector, y.Sector)
	}
	return cmp.Compare(x.Cell, y.Cell)
}

// newAnalysis builds the indexed form of r, which it takes over: r.Cells is
// sorted in place when it is not yet ordered by (resolution, sector, cell)
// (geo.Analyze and the analysis file give it ordered) and the groups are
// sub-slices of it. centres, when not nil, holds the centre of r.Cells[i]
// (and is reordered with it); nil computes them with H3.
func newAnalysis(r *kume.AnalysisResult, centres []orb.Point) (*analysis, error) {
	a := &analysis{run: r.Run, all: r.Cells, centres: centres, cells: map[cellGroup]*cellSet{}}
	a.run.StartedAt, a.run.FinishedAt = a.run.StartedAt.UTC(), a.run.FinishedAt.UTC()
	if centres != nil && len(centres) != len(a.all) {
		return nil, kume.Errorf(kume.EINVALID, "%d cell centres for %d cells", len(centres), len(a.all))
	}
	if !sortCells(a.all, a.centres) {
		for i := 1; i < len(a.all); i++ {
			if c := &a.all[i]; compareCells(&a.all[i-1], c) == 0 {
				return nil, kume.Errorf(kume.EINVALID, "cell %x appears twice at resolution %d for sector %q",
					c.Cell, c.Res, c.Sector)
			}
		}
	}
	var groups [][2]int // [start, end) of each (resolution, sector) group
	for i := 0; i < len(a.all); {
		j := i + 1
		for j < len(a.all) && a.all[j].Res == a.all[i].Res && a.all[j].Sector == a.all[i].Sector {
			j++
		}
		groups = append(groups, [2]int{i, j})
		i = j
	}
	if a.centres == nil {
		a.centres = cellCentres(a.all, groups)
	}
	for _, g := range groups {
		i, j := g[0], g[1]
		a.cells[cellGroup{a.all[i].Res, a.all[i].Sector}] = &cellSet{stats: a.all[i:j:j], centres: a.centres[i:j:j]}
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

// sortCells orders cells by (resolution, sector, cell) in place, and centres
// (when not nil) with them. It reports whether they were strictly ordered
// already (so without duplicates), which costs one comparison per row.
func sortCells(cells []kume.CellStat, centres []orb.Point) bool {
	sorted := true
	for i := 1; i < len(cells) && sorted; i++ {
		sorted = compareCells(&cells[i-1], &cells[i]) < 0
	}
	if sorted {
		return true
	}
	if centres == nil {
		slices.SortStableFunc(cells, func(x, y kume.CellStat) int { return compareCells(&x, &y) })
		return false
	}
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return compareCells(&cells[x], &cells[y]) })
	sc, sp := make([]kume.CellStat, len(cells)), make([]orb.Point, len(cells))
	for k, i := range order {
		sc[k], sp[k] = cells[i], centres[i]
	}
	copy(cells, sc)
	copy(centres, sp)
	return false
}

// cellCentres computes the centres of cells, which groups splits into runs
// of one resolution and sector, each ordered by cell. A centre is a call into
// H3 (about a microsecond), and the same cell recurs in many sectors: the
// centres of each resolution's largest group are computed once and the other
// groups of that resolution take theirs from it by a merge, computing only
// the cells it lacks. Groups are spread over one goroutine per processor.
func cellCentres(cells []kume.CellStat, groups [][2]int) []orb.Point {
	out := make([]orb.Point, len(cells))
	ref := map[int][2]int{} // resolution → its largest group
	for _, g := range groups {
		r := cells[g[0]].Res
		if cur, ok := ref[r]; !ok || g[1]-g[0] > cur[1]-cur[0] {
			ref[r] = g
		}
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(cells)/4096))
	// The reference groups first, split into equal parts.
	var wg sync.WaitGroup
	for _, g := range ref {
		n := g[1] - g[0]
		for w := range workers {
			lo, hi := g[0]+n*w/workers, g[0]+n*(w+1)/workers
			wg.Go(func() {
				for i := lo; i < hi; i++ {
					out[i] = cellCentre(cells[i].Cell)
				}
			})
		}
	}
	wg.Wait()
	// The reference cells in one flat slice per resolution, for the merges.
	keys := map[int][]uint64{}
	for r, g := range ref {
		ks := make([]uint64, g[1]-g[0])
		for i := range ks {
			ks[i] = cells[g[0]+i].Cell
		}
		keys[r] = ks
	}
	next := make(chan [2]int, len(groups))
	for _, g := range groups {
		if ref[cells[g[0]].Res] != g {
			next <- g
		}
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for g := range next {
				r, ks := ref[cells[g[0]].Res], keys[cells[g[0]].Res]
				k := 0
				for i := g[0]; i < g[1]; i++ {
					c := cells[i].Cell
					k = seekCell(ks, k, c)
					if k < len(ks) && ks[k] == c {
						out[i] = out[r[0]+k]
					} else {
						out[i] = cellCentre(c)
					}
				}
			}
		})
	}
	wg.Wait()
	return out
}

// seekCell returns the first index ≥ lo of cells, ordered, whose cell is not
// below c (len(cells) if none). It gallops from lo, so a merge of a short
// group against a long one skips the long one's gaps in logarithmic time.
func seekCell(cells []uint64, lo int, c uint64) int {
	hi := len(cells)
	if lo >= hi || cells[lo] >= c {
		return lo
	}
	step := 1
	for lo+step < hi && cells[lo+step] < c {
		lo += step
		step *= 2
	}
	// cells[lo] < c; the answer is in (lo, min(lo+step, hi)].
	n, _ := slices.BinarySearch(cells[lo+1:min(lo+step, hi)], c)
	return lo + 1 + n
}

// cloneCells deep-copies cells; the LQ and Gi* values go into shared slabs
// rather than one allocation each.
func cloneCells(cells []kume.CellStat) []kume.CellStat {
	var fs floatSlab
	return appendCellClones(make([]kume.CellStat, 0, len(cells)), cells, &fs)
}

// appendCellClones appends deep copies of cells to dst, their LQ and Gi*
// values in fs.
func appendCellClones(dst, cells []kume.CellStat, fs *floatSlab) []kume.CellStat {
	dst = slices.Grow(dst, len(cells))
	for i := range cells {
		dst = append(dst, cells[i])
		c := &dst[len(dst)-1]
		c.LQ, c.GiZ, c.GiP = fs.clone(c.LQ), fs.clone(c.GiZ), fs.clone(c.GiP)
		c.Institutions = cloneCounts(c.Institutions)
	}
	return dst
}

// floatSlab hands out pointers to float64 values stored in large chunks.
type floatSlab struct{ buf []float64 }

// ptr returns a pointer to a new copy of v.
func (s *floatSlab) ptr(v float64) *float64 {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]float64, 0, 1<<15)
	}
	s.buf = append(s.buf, v)
	return &s.buf[len(s.buf)-1]
}

// clone returns a copy of *f in the slab, or nil.
func (s *floatSlab) clone(f *float64) *float64 {
	if f == nil {
		return nil
	}
	return s.ptr(*f)
}

// Clusters returns the footprints matching f ordered by id.
func (s *Store) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	a, err := s.snapshot().current(f.Version)
	if a == nil {
		return nil, err
	}
	var out []kume.Cluster
	for i, c := range a.clusters {
		if (f.Sectors != nil && !slices.Contains(f.Sectors, c.Sector)) || (f.Res != 0 && c.Res != f.Res) ||
			(f.BBox != nil && !f.BBox.Intersects(a.bounds[i])) {
			continue
		}
		out = append(out, cloneCluster(c))
	}
	return out, nil
}

// Cluster returns one footprint of an analysis version (0: the current
// public analysis; ENOTFOUND if none).
func (s *Store) Cluster(ctx context.Context, version int64, id string) (*kume.Cluster, error) {
	a, err := s.snapshot().current(version)
	if err != nil {
		return nil, err
	}
	if a != nil {
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
