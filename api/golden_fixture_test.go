package api

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// The golden fixture: a fixed, hand-made set of every kind of feature that
// kume publishes, near Bursa, so that the golden files of each layer hold
// every face of the same aggregates. Nothing in it is real data.
//
// Polygons have their corners on whole units of the zoom-9 tile that holds
// them (goldenZ, goldenX, goldenY) and points on whole units of zoom-12
// tiles, so that both tile encoders write exactly the same coordinates
// (neither rounds nor simplifies anything away) and their tiles can share one
// golden file.
const (
	goldenZ, goldenX, goldenY = 9, 297, 193 // the tile holding 29.06 E, 40.19 N
	goldenPointZ              = 12
)

// goldenAt returns the longitude and latitude of the point u, v units (of
// 4096) from the top left corner of the zoom-9 golden tile, at zoom z (9 or
// 12): at zoom 12 the units are those of the zoom-12 tile grid starting at
// the golden tile's corner.
func goldenAt(z int, u, v float64) orb.Point {
	scale := float64(uint64(1)<<z) * 4096
	shift := float64(uint64(1) << (z - goldenZ))
	wx := (float64(goldenX)*shift*4096 + u) / scale
	wy := (float64(goldenY)*shift*4096 + v) / scale
	lat := math.Atan(math.Sinh(math.Pi*(1-2*wy))) * 180 / math.Pi
	return orb.Point{wx*360 - 180, lat}
}

// goldenBox returns the counter-clockwise ring of the box from (u0, v0) to
// (u1, v1) in units of the golden tile.
func goldenBox(u0, v0, u1, v1 float64) orb.Ring {
	a, b, c, d := goldenAt(goldenZ, u0, v1), goldenAt(goldenZ, u1, v1), goldenAt(goldenZ, u1, v0), goldenAt(goldenZ, u0, v0)
	return orb.Ring{a, b, c, d, a}
}

// goldenFixture returns a store of the kind loaded with the golden fixture
// and a read key granted the private dataset.
func goldenFixture(t *testing.T, st kume.Store) string {
	t.Helper()
	ctx := context.Background()
	pub := &kume.Dataset{Name: "golden", Visibility: kume.Public, Source: "made up for the golden files",
		Licence: "CC0-1.0", Attribution: "kume golden fixture"}
	priv := &kume.Dataset{Name: "golden-private", Visibility: kume.Private, Attribution: "not for the public"}
	for _, d := range []*kume.Dataset{pub, priv} {
		if err := st.CreateDataset(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) *time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	pt := func(u, v float64) (float64, float64) { p := goldenAt(goldenPointZ, u, v); return p[0], p[1] }
	firm := func(id, name, nace string, u, v float64, emp kume.Employees) kume.Establishment {
		lon, lat := pt(u, v)
		return kume.Establishment{SourceID: id, Name: name, Kind: kume.KindFirm, NACE: nace, Lon: lon, Lat: lat,
			Precision: kume.PrecisionAddress, GeocodeSource: "source", Employees: emp,
			Address: kume.Address{District: "Osmangazi", Province: "Bursa", Country: "TR"}}
	}
	inst := func(id, name string, typ kume.InstitutionType, u, v float64) kume.Establishment {
		e := firm(id, name, "", u, v, kume.Employees{})
		e.Kind, e.Type = kume.KindInstitution, typ
		return e
	}
	public := []kume.Establishment{
		firm("g1", "İpek Dokuma A.Ş.", "13.20", 8200, 9000, kume.ExactEmployees(12)),
		firm("g2", "Örme Ltd.", "13.91", 8300, 9100, kume.EmployeeBand(10, 49)),
		firm("g3", "Büyük Konfeksiyon", "14.13", 8400, 9200, kume.EmployeeBand(250, -1)),
		firm("g4", "Kapandı Tekstil", "13.20", 8500, 9300, kume.ExactEmployees(3)),
		firm("g5", "Sicilsiz", "", 8600, 9400, kume.Employees{}),
		inst("g6", "Bursa Teknik Üniversitesi", kume.University, 8700, 9500),
		inst("g7", "Bursa Ticaret ve Sanayi Odası", kume.Chamber, 8800, 9600),
	}
	public[0].Founded = day("2012-03-01")
	public[3].Founded, public[3].Closed = day("2001-01-01"), day("2020-06-30")
	public[0].Attrs = map[string]string{"vergi_no": "0000000001"}
	private := []kume.Establishment{
		firm("p1", "Gizli Dokuma", "13.20", 8250, 9050, kume.ExactEmployees(40)),
		inst("p2", "Gizli Enstitü", kume.ResearchInstitute, 8750, 9550),
	}
	for i := range public {
		public[i].DatasetID = pub.ID
	}
	for i := range private {
		private[i].DatasetID = priv.ID
	}
	teststores.Import(t, st, append(public, private...))
	if err := st.PutRegions(ctx, []kume.Region{
		{Level: "province", Code: "16", Name: "Bursa", Parent: "TR41", Geometry: orb.MultiPolygon{{goldenBox(512, 512, 2560, 3584)}}},
		{Level: "province", Code: "77", Name: "Yalova", Parent: "TR42", Geometry: orb.MultiPolygon{{goldenBox(2560, 512, 3584, 3584)}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveAnalysis(ctx, goldenAnalysis()); err != nil {
		t.Fatal(err)
	}
	secret, hash, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(ctx, &kume.APIKey{Name: "golden reader", Scope: kume.ScopeRead, Hash: hash,
		Grants: []kume.Grant{{DatasetID: priv.ID, Right: kume.RightRead}}}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// goldenAnalysis returns the fixture's analysis: cell statistics of sector 13
// and of all firms at resolution 7, two clusters of sector 13 with every
// field set (one suppressed), one of a value chain, and statistics of both
// provinces (Yalova's suppressed).
func goldenAnalysis() *kume.AnalysisResult {
	f := func(v float64) *float64 { return &v }
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &kume.AnalysisResult{Run: kume.AnalysisRun{StartedAt: started, FinishedAt: started.Add(90 * time.Second),
		Params: json.RawMessage(`{"params":{"k":1,"resolutions":[7],"fdr":true,"disclosure_k":3},"study_area":"occupied cells and their 1-ring"}`)}}
	centre := h3.LatLngToCell(h3.LatLng{Lat: 40.19, Lng: 29.06}, 7)
	var ring []uint64
	for i, c := range h3.GridDisk(centre, 1) {
		ring = append(ring, uint64(c))
		suppressed := c == centre
		r.Cells = append(r.Cells,
			kume.CellStat{Res: 7, Cell: uint64(c), Sector: "13", Firms: 4 + i, Closed: i % 2, Employees: float64(20 + 5*i),
				EmployeesEstimated: 2.5 * float64(i%3), Imprecise: i % 2, LQ: f(1 + 0.25*float64(i)), GiZ: f(0.5 * float64(i)),
				GiP: f(0.5 / float64(i+1)), GiBin: i % 4, Suppressed: suppressed},
			kume.CellStat{Res: 7, Cell: uint64(c), Sector: kume.SectorAll, Firms: 10 + i, Employees: float64(100 + i),
				LQ: f(1), GiZ: f(0), GiP: f(1), Institutions: map[kume.InstitutionType]int{kume.University: i % 2}})
	}
	composition := []kume.CompositionItem{{Code: "13.20", Role: kume.RoleCore, Firms: 2, Employees: 15}, {Code: "13.91", Role: kume.RoleCore, Firms: 1, Employees: 29.5}}
	eco := kume.NewEcosystem([]int{1, 0, 0, 0, 0, 0, 1}, true)
	r.Clusters = []kume.Cluster{
		{ID: "13-7-golden", Sector: "13", Res: 7, Name: "Osmangazi – Textiles", NameTR: "Osmangazi – Tekstil", Place: "Osmangazi",
			Cells: ring[:4], Geometry: orb.MultiPolygon{{goldenBox(1024, 1024, 2048, 2048), goldenBox(1280, 1280, 1536, 1536)}},
			Firms: 3, Employees: 44.5, FocusFirms: 3, Expected: 1.2, LQ: f(2.5), Share: 0.6, Method: "binomial-fdr",
			PValue: f(0.004), LLR: 7.25, Stars: 2, Strong: true,
			InstitutionsInside: map[kume.InstitutionType]int{kume.University: 1},
			InstitutionsNear:   map[kume.InstitutionType]int{kume.Chamber: 1},
			RolesPresent:       []kume.Role{kume.RoleCore}, RolesMissing: []kume.Role{kume.RoleService},
			Completeness: f(0.5), Composition: composition, Ecosystem: eco, Profile: json.RawMessage(`{"score":0.75}`)},
		{ID: "13-7-small", Sector: "13", Res: 7, Name: "Nilüfer – Textiles", NameTR: "Nilüfer – Tekstil", Place: "Nilüfer",
			Cells: ring[4:5], Geometry: orb.MultiPolygon{{goldenBox(2304, 1024, 2816, 1536)}},
			Firms: 2, Employees: 7, FocusFirms: 2, Expected: 0.5, LQ: f(4), Share: 0.4, Method: "binomial-fdr",
			PValue: f(0.03), LLR: 2.5, Stars: 1, Suppressed: true,
			InstitutionsInside: map[kume.InstitutionType]int{}, InstitutionsNear: map[kume.InstitutionType]int{kume.University: 1},
			Completeness: f(0.25), Composition: composition[:1], Ecosystem: kume.NewEcosystem(nil, true), Profile: json.RawMessage(`{"score":0.5}`)},
		{ID: "vc:textiles-7-golden", Sector: "vc:textiles", Res: 7, Name: "Osmangazi – Textiles chain", NameTR: "Osmangazi – Tekstil zinciri",
			Place: "Osmangazi", Cells: ring[:3], Geometry: orb.MultiPolygon{{goldenBox(1024, 2304, 2048, 3072)}},
			Firms: 4, Employees: 60, FocusFirms: 3, Expected: 1.5, LQ: f(2), Share: 0.5, Method: "binomial-fdr", PValue: f(0.01),
			LLR: 4, Stars: 1, Completeness: f(0.5), Ecosystem: eco},
	}
	r.Regions = []kume.RegionStat{
		{Level: "province", Code: "16", Sector: "13", Firms: 4, Employees: 44.5, LQ: f(1.75), LQEmployed: f(1.5), Stars: 2, Strong: true,
			Entries: 1, Exits: 1, Undated: 2},
		{Level: "province", Code: "77", Sector: "13", Firms: 1, Employees: 3, LQ: f(0.5), LQEmployed: f(0.25), Suppressed: true, Undated: 1},
		{Level: "province", Code: "16", Sector: kume.SectorAll, Firms: 5, Employees: 60},
	}
	return r
}
