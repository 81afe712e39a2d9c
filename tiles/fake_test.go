package tiles

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// fakeStore implements the few kume.Store methods the tile service reads.
type fakeStore struct {
	kume.Store
	mu       sync.Mutex
	runs     map[int64]*kume.AnalysisResult
	latest   int64
	data     int64
	firms    []kume.Establishment
	regions  []kume.Region
	chains   []kume.ValueChain
	private  int64 // dataset id that is private
	cellCall atomic.Int64
	down     bool // every read fails with EUNAVAILABLE, as a lost database does
	filters  []kume.EstablishmentFilter
	centres  map[uint64]orb.Point
	index    map[cellIndex][]kume.CellStat
}

// cellIndex groups the cell statistics of one version, resolution and sector.
type cellIndex struct {
	version int64
	res     int
	sector  string
}

func newFakeStore() *fakeStore {
	return &fakeStore{runs: map[int64]*kume.AnalysisResult{}, private: 2, centres: map[uint64]orb.Point{}, index: map[cellIndex][]kume.CellStat{}}
}

// save stores r as a new analysis version.
func (f *fakeStore) save(r kume.AnalysisResult) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data++
	f.latest = f.data
	r.Run.Version = f.latest
	f.runs[f.latest] = &r
	for _, c := range r.Cells {
		k := cellIndex{f.latest, c.Res, c.Sector}
		f.index[k] = append(f.index[k], c)
		if _, ok := f.centres[c.Cell]; !ok {
			ll := h3.CellToLatLng(h3.Cell(int64(c.Cell)))
			f.centres[c.Cell] = orb.Point{ll.Lng, ll.Lat}
		}
	}
	return f.latest
}

func (f *fakeStore) DataVersion(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return 0, kume.Errorf(kume.EUNAVAILABLE, "the database is unreachable")
	}
	return f.data, nil
}

func (f *fakeStore) LatestAnalysis(context.Context) (*kume.AnalysisRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, kume.Errorf(kume.EUNAVAILABLE, "the database is unreachable")
	}
	if f.latest == 0 {
		return nil, kume.Errorf(kume.ENOTFOUND, "no analysis")
	}
	run := f.runs[f.latest].Run
	return &run, nil
}

func (f *fakeStore) run(v int64) (*kume.AnalysisResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, kume.Errorf(kume.EUNAVAILABLE, "the database is unreachable")
	}
	if v == 0 {
		v = f.latest
	}
	r, ok := f.runs[v]
	if !ok {
		return nil, kume.Errorf(kume.ENOTFOUND, "no version %d", v)
	}
	return r, nil
}

func (f *fakeStore) CellStats(_ context.Context, flt kume.CellFilter) ([]kume.CellStat, error) {
	f.cellCall.Add(1)
	r, err := f.run(flt.Version)
	if err != nil {
		return nil, err
	}
	var out []kume.CellStat
	for _, c := range f.index[cellIndex{r.Run.Version, flt.Res, flt.Sector}] {
		if flt.BBox != nil && !flt.BBox.Contains(f.centres[c.Cell]) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeStore) Clusters(_ context.Context, flt kume.ClusterFilter) ([]kume.Cluster, error) {
	r, err := f.run(flt.Version)
	if err != nil {
		return nil, err
	}
	var out []kume.Cluster
	for _, c := range r.Clusters {
		if flt.Sectors != nil && !slices.Contains(flt.Sectors, c.Sector) {
			continue
		}
		if flt.BBox != nil && len(c.Geometry) > 0 && !flt.BBox.Intersects(c.Geometry.Bound()) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeStore) RegionStats(_ context.Context, flt kume.RegionStatFilter) ([]kume.RegionStat, error) {
	r, err := f.run(flt.Version)
	if err != nil {
		return nil, err
	}
	var out []kume.RegionStat
	for _, s := range r.Regions {
		if (flt.Level == "" || s.Level == flt.Level) && s.Sector == flt.Sector &&
			(len(flt.Codes) == 0 || slices.Contains(flt.Codes, s.Code)) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) Regions(_ context.Context, flt kume.RegionFilter) ([]kume.Region, error) {
	var out []kume.Region
	for _, r := range f.regions {
		if (flt.Level == "" || r.Level == flt.Level) && (len(flt.Codes) == 0 || slices.Contains(flt.Codes, r.Code)) &&
			(flt.BBox == nil || flt.BBox.Intersects(r.Geometry.Bound())) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeStore) Establishments(_ context.Context, flt kume.EstablishmentFilter) ([]kume.Establishment, error) {
	f.mu.Lock()
	f.filters = append(f.filters, flt)
	f.mu.Unlock()
	var out []kume.Establishment
	for _, e := range f.firms {
		if flt.PublicOnly && e.DatasetID == f.private {
			continue
		}
		if flt.Kind != "" && e.Kind != flt.Kind || flt.Type != "" && e.Type != flt.Type {
			continue
		}
		if flt.BBox != nil && !flt.BBox.Contains(orb.Point{e.Lon, e.Lat}) {
			continue
		}
		if len(flt.NACEPrefixes) > 0 && !slices.ContainsFunc(flt.NACEPrefixes, func(p string) bool { return strings.HasPrefix(e.NACE, p) }) {
			continue
		}
		out = append(out, e)
		if flt.Limit > 0 && len(out) == flt.Limit {
			break
		}
	}
	return out, nil
}

func (f *fakeStore) ValueChains(context.Context) ([]kume.ValueChain, error) { return f.chains, nil }

// fixture is a store with cells around a centre at resolutions 4..9, one
// cluster, two regions and a few establishments (one of them private).
func fixture(center orb.Point) *fakeStore {
	f := newFakeStore()
	var cells []kume.CellStat
	for res := 4; res <= 9; res++ {
		cells = append(cells, genCells(center, res, 25, "")...)
		cells = append(cells, genCells(center, res, 3, "13")...)
	}
	origin := h3.LatLngToCell(h3.NewLatLng(center[1], center[0]), 7)
	var clusterCells []uint64
	for _, c := range origin.GridDisk(1) {
		clusterCells = append(clusterCells, uint64(c))
	}
	lq, compl := 2.5, 0.75
	params := []byte(`{"resolutions":[4,5,6,7,8,9]}`)
	f.save(kume.AnalysisResult{
		Run:   kume.AnalysisRun{Params: params},
		Cells: cells,
		Clusters: []kume.Cluster{{ID: "c13-1", Sector: "13", Res: 7, Name: "Textiles", Cells: clusterCells,
			Firms: 40, Employees: 900, LQ: &lq, Stars: 2, Completeness: &compl,
			InstitutionsInside: map[kume.InstitutionType]int{kume.University: 1, kume.Chamber: 2}}},
		Regions: []kume.RegionStat{
			{Level: "province", Code: "34", Sector: "", Firms: 500, Employees: 9000, LQ: &lq, Stars: 1},
			{Level: "province", Code: "41", Sector: "", Firms: 2, Suppressed: true},
		},
	})
	box := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		// counter-clockwise in lon/lat, as RFC 7946 writes exterior rings
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	f.regions = []kume.Region{
		{Code: "34", Name: "İstanbul", Level: "province", Geometry: box(center[0]-1, center[1]-0.5, center[0]+0.2, center[1]+0.5)},
		{Code: "41", Name: "Kocaeli", Level: "province", Geometry: box(center[0]+0.2, center[1]-0.5, center[0]+1, center[1]+0.5)},
	}
	at := func(i int) (float64, float64) { return center[0] + float64(i)*0.001, center[1] + float64(i)*0.0007 }
	for i := 1; i <= 6; i++ {
		lon, lat := at(i)
		e := kume.Establishment{ID: int64(i), DatasetID: 1, Name: "Firm", Kind: kume.KindFirm, NACE: "13.20",
			Employees: kume.ExactEmployees(12 * i), Lon: lon, Lat: lat}
		if i == 5 {
			e.DatasetID, e.Name = 2, "Private firm"
		}
		if i == 6 {
			e.Kind, e.Type, e.NACE, e.Name = kume.KindInstitution, kume.University, "", "University"
		}
		f.firms = append(f.firms, e)
	}
	f.data++ // the import after the analysis
	return f
}

// genCells returns deterministic statistics for the cells within k of the
// centre's cell; every seventh cell is suppressed.
func genCells(center orb.Point, res, k int, sector string) []kume.CellStat {
	origin := h3.LatLngToCell(h3.NewLatLng(center[1], center[0]), res)
	var out []kume.CellStat
	for i, c := range origin.GridDisk(k) {
		lq, z, p := 0.5+float64(i%7)/3, float64(i%9)-4, 0.01*float64(i%50)
		out = append(out, kume.CellStat{Res: res, Cell: uint64(c), Sector: sector, Firms: 3 + i%40,
			Employees: float64(10 + i%300), Imprecise: i % 3, LQ: &lq, GiZ: &z, GiP: &p, GiBin: i%7 - 3,
			Suppressed: i%7 == 0})
	}
	return out
}
