package tiles

import (
	"context"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// The tile tests run on the real stores (internal/teststores): a test that
// needs data takes a fixtureStore, one whose subject does not read the store
// (parsing, TileJSON of an empty store) an empty embedded store.

// fixtureStore is a real store holding the tile fixture, with what the
// fixture saved in it for the tests to compare with.
type fixtureStore struct {
	kume.Store
	// analysis is the current analysis as it was saved.
	analysis kume.AnalysisResult
	// firms are the fixture's establishments in the order they were made,
	// with the ids the store gave them; firms[4] is private.
	firms   []kume.Establishment
	public  *kume.Dataset
	private *kume.Dataset
}

// onStores runs test on each store (see teststores.Run).
func onStores(t *testing.T, test func(t *testing.T, kind teststores.Kind)) {
	t.Helper()
	teststores.Run(t, test)
}

// emptyStore returns an empty embedded store.
func emptyStore(t testing.TB) kume.Store {
	t.Helper()
	return teststores.Open(t, teststores.Memory)
}

// fixture returns a store of the kind with, around center: cell statistics
// at resolutions 4 to 9 (all firms within 25 cells, sector 13 within 3; every
// seventh suppressed), one cluster of sector 13 at resolution 7 (the cell at
// the centre and its neighbours), the statistics of two provinces (one
// suppressed) and their boundaries, and, imported after the analysis, six
// establishments of sector 13: the fifth in a private dataset, the sixth an
// institution.
func fixture(t testing.TB, kind teststores.Kind, center orb.Point) *fixtureStore {
	t.Helper()
	ctx := context.Background()
	st := &fixtureStore{Store: teststores.Open(t, kind),
		public: &kume.Dataset{Name: "public", Visibility: kume.Public}, private: &kume.Dataset{Name: "private", Visibility: kume.Private}}
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
	st.analysis = kume.AnalysisResult{
		Run:   kume.AnalysisRun{Params: []byte(`{"resolutions":[4,5,6,7,8,9]}`)},
		Cells: cells,
		Clusters: []kume.Cluster{{ID: "c13-1", Sector: "13", Res: 7, Name: "Textiles", Cells: clusterCells,
			Geometry: cellsGeometry(clusterCells), Firms: 40, Employees: 900, LQ: &lq, Stars: 2, Completeness: &compl,
			InstitutionsInside: map[kume.InstitutionType]int{kume.University: 1, kume.Chamber: 2}}},
		Regions: []kume.RegionStat{
			{Level: "province", Code: "34", Sector: "", Firms: 500, Employees: 9000, LQ: &lq, Stars: 1},
			{Level: "province", Code: "41", Sector: "", Firms: 2, Suppressed: true},
		},
	}
	st.saveAnalysis(t, nil)
	box := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		// counter-clockwise in lon/lat, as RFC 7946 writes exterior rings
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	if err := st.PutRegions(ctx, []kume.Region{
		{Code: "34", Name: "İstanbul", Level: "province", Geometry: box(center[0]-1, center[1]-0.5, center[0]+0.2, center[1]+0.5)},
		{Code: "41", Name: "Kocaeli", Level: "province", Geometry: box(center[0]+0.2, center[1]-0.5, center[0]+1, center[1]+0.5)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*kume.Dataset{st.public, st.private} {
		if err := st.CreateDataset(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	at := func(i int) (float64, float64) { return center[0] + float64(i)*0.001, center[1] + float64(i)*0.0007 }
	for i := 1; i <= 6; i++ {
		lon, lat := at(i)
		e := kume.Establishment{DatasetID: st.public.ID, SourceID: "f" + string(rune('0'+i)), Name: "Firm", Kind: kume.KindFirm,
			NACE: "13.20", Employees: kume.ExactEmployees(12 * i), Lon: lon, Lat: lat, Precision: kume.PrecisionAddress}
		if i == 5 {
			e.DatasetID, e.Name = st.private.ID, "Private firm"
		}
		if i == 6 {
			e.Kind, e.Type, e.NACE, e.Name = kume.KindInstitution, kume.University, "", "University"
		}
		st.firms = append(st.firms, e)
	}
	st.reimport(t, nil)
	return st
}

// saveAnalysis saves the current analysis, changed by change (nil: as it
// is), as a new version.
func (s *fixtureStore) saveAnalysis(t testing.TB, change func(r *kume.AnalysisResult)) {
	t.Helper()
	teststores.SaveAnalysis(t, s, &s.analysis, change)
}

// reimport imports the fixture's establishments again, changed by change
// (nil: as they are), and reads back their ids.
func (s *fixtureStore) reimport(t testing.TB, change func(firms []kume.Establishment)) {
	t.Helper()
	if change != nil {
		change(s.firms)
	}
	teststores.Import(t, s, s.firms)
}

// cellsGeometry returns the outlines of cells, one polygon each, as the
// footprint of a cluster.
func cellsGeometry(cells []uint64) orb.MultiPolygon {
	var mp orb.MultiPolygon
	for _, c := range cells {
		b := h3.Cell(int64(c)).Boundary()
		var r orb.Ring
		for _, ll := range b {
			r = append(r, orb.Point{ll.Lng, ll.Lat})
		}
		mp = append(mp, orb.Polygon{append(r, r[0])})
	}
	return mp
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

// watched is a real store whose reads by the tile service a test watches or
// makes fail: before is called with the name of each read and its filter,
// and an error it returns is the read's.
type watched struct {
	kume.Store
	before func(read string, filter any) error
}

// watchedCells is watched over a store that streams a tile's cells
// (TileCellReader, as PostGIS does); the stream is the read "cells" too.
type watchedCells struct {
	*watched
	cells TileCellReader
}

// watch returns st watched by before.
func watch(st kume.Store, before func(read string, filter any) error) kume.Store {
	w := &watched{Store: st, before: before}
	if r, ok := st.(TileCellReader); ok {
		return &watchedCells{watched: w, cells: r}
	}
	return w
}

func (w *watched) DataVersion(ctx context.Context) (int64, error) {
	if err := w.before("version", nil); err != nil {
		return 0, err
	}
	return w.Store.DataVersion(ctx)
}

func (w *watched) LatestAnalysis(ctx context.Context) (*kume.AnalysisRun, error) {
	if err := w.before("analysis", nil); err != nil {
		return nil, err
	}
	return w.Store.LatestAnalysis(ctx)
}

func (w *watched) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	if err := w.before("cells", f); err != nil {
		return nil, err
	}
	return w.Store.CellStats(ctx, f)
}

func (w *watchedCells) TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error {
	if err := w.before("cells", f); err != nil {
		return err
	}
	return w.cells.TileCells(ctx, f, fn)
}

func (w *watched) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	if err := w.before("clusters", f); err != nil {
		return nil, err
	}
	return w.Store.Clusters(ctx, f)
}

func (w *watched) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	if err := w.before("region stats", f); err != nil {
		return nil, err
	}
	return w.Store.RegionStats(ctx, f)
}

func (w *watched) Regions(ctx context.Context, f kume.RegionFilter) ([]kume.Region, error) {
	if err := w.before("regions", f); err != nil {
		return nil, err
	}
	return w.Store.Regions(ctx, f)
}

func (w *watched) Establishments(ctx context.Context, f kume.EstablishmentFilter) ([]kume.Establishment, error) {
	if err := w.before("establishments", f); err != nil {
		return nil, err
	}
	return w.Store.Establishments(ctx, f)
}

// readLog records the reads of a watched store (its before function).
type readLog struct {
	mu      sync.Mutex
	reads   []string
	filters []any
}

// before records a read.
func (l *readLog) before(read string, filter any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads = append(l.reads, read)
	l.filters = append(l.filters, filter)
	return nil
}

// count returns how many reads of that name were made.
func (l *readLog) count(read string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.reads {
		if r == read {
			n++
		}
	}
	return n
}

// establishmentFilters returns the filters of the reads of establishments
// and forgets every read.
func (l *readLog) establishmentFilters() []kume.EstablishmentFilter {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []kume.EstablishmentFilter
	for _, f := range l.filters {
		if ef, ok := f.(kume.EstablishmentFilter); ok {
			out = append(out, ef)
		}
	}
	l.reads, l.filters = nil, nil
	return out
}
