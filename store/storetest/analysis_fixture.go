package storetest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// BursaCells returns n (at most 343) distinct valid H3 cells at resolution 9
// near Bursa, derived from CellBursa9 by varying its last three digits.
func BursaCells(n int) []uint64 {
	const mask = uint64(0x1ff) << 18 // digits 7, 8 and 9
	out := make([]uint64, 0, n)
	for i := 0; i < 343 && len(out) < n; i++ {
		d7, d8, d9 := uint64(i/49), uint64(i/7%7), uint64(i%7)
		out = append(out, CellBursa9&^mask|d7<<24|d8<<21|d9<<18)
	}
	return out
}

// AnalysisResult returns the hand-written analysis fixture: cells at
// resolutions 9 and 7, four clusters and region statistics, including nil and
// zero statistics that must round-trip as different values.
func AnalysisResult() *kume.AnalysisResult {
	started := time.Date(2024, 5, 1, 13, 0, 0, 123456000, istanbul())
	return &kume.AnalysisResult{
		Run: kume.AnalysisRun{StartedAt: started, FinishedAt: started.Add(90*time.Second + 5*time.Microsecond),
			Params: json.RawMessage(`{"resolutions":[7,9],"alpha":0.05,"method":"gi*"}`)},
		Cells: []kume.CellStat{
			{Res: 9, Cell: CellBursa9, Sector: kume.SectorAll, Firms: 3, Closed: 1, Employees: 64.5,
				EmployeesEstimated: 29.5, Imprecise: 1,
				Institutions: map[kume.InstitutionType]int{kume.University: 1, kume.OSB: 2}},
			{Res: 9, Cell: CellBursaE9, Sector: kume.SectorAll, Firms: 1, Employees: 7,
				LQ: ptrFloat(0), GiZ: ptrFloat(-1.5), GiP: ptrFloat(0), GiBin: -1},
			{Res: 9, Cell: CellDenizli9, Sector: kume.SectorAll, Firms: 2, Suppressed: true},
			{Res: 9, Cell: CellIstanbul9, Sector: kume.SectorAll, Firms: 40, Employees: 1e6 + 0.25,
				LQ: ptrFloat(1), GiZ: ptrFloat(0.3), GiP: ptrFloat(0.76), GiBin: 0},
			{Res: 9, Cell: CellBursa9, Sector: "13", Firms: 2, Closed: 2, Employees: 50.5,
				EmployeesEstimated: 29.5, LQ: ptrFloat(2.5), GiZ: ptrFloat(3.1), GiP: ptrFloat(0.002), GiBin: 3},
			{Res: 9, Cell: CellDenizli9, Sector: "13", Firms: 1, LQ: ptrFloat(0.8)},
			{Res: 7, Cell: CellBursa7, Sector: kume.SectorAll, Firms: 6,
				Institutions: map[kume.InstitutionType]int{kume.Chamber: 1}},
			{Res: 7, Cell: CellDenizli7, Sector: kume.SectorAll, Firms: 2},
			{Res: 7, Cell: CellBursa7, Sector: "vc:textiles", Firms: 3, LQ: ptrFloat(4.25)},
		},
		Clusters: []kume.Cluster{
			{ID: "13-9-abc", Sector: "13", Res: 9, Name: "Bursa tekstil", Cells: []uint64{CellBursa9, CellBursaE9},
				Geometry: orb.MultiPolygon{{square(29.07, 40.195, 0.03), hole(29.07, 40.195, 0.005)}},
				Firms:    12, Employees: 340.5, LQ: ptrFloat(2.5), Share: 0.4, Stars: 3,
				InstitutionsInside: map[kume.InstitutionType]int{kume.OSB: 1},
				InstitutionsNear:   map[kume.InstitutionType]int{kume.University: 1, kume.Chamber: 1},
				RolesPresent:       []kume.Role{kume.RoleCore, kume.RoleSupplier},
				RolesMissing:       []kume.Role{kume.RoleService},
				Completeness:       ptrFloat(0.5),
				Profile:            json.RawMessage(`{"strengths":["labour","suppliers"],"score":0.7}`),
				NameTR:             "Bursa – Tekstil", Place: "Bursa", Method: "specialisation test", FocusFirms: 9,
				Expected: 2.25, PValue: ptrFloat(1.5e-7), LLR: 12.75, Strong: true,
				Composition: []kume.CompositionItem{{Code: "13.20", Role: kume.RoleCore, Firms: 9, Employees: 300},
					{Code: "46.41", Role: kume.RoleDistribution, Firms: 3, Employees: 40.5}},
				Ecosystem: &kume.Ecosystem{Present: []string{"university", "chamber"}, Missing: []string{"bank"}, Completeness: 2.0 / 3}},
			{ID: "13-9-def", Sector: "13", Res: 9, Name: "Denizli", Cells: []uint64{CellDenizli9},
				Geometry: orb.MultiPolygon{{square(29.09, 37.78, 0.02)}}, Firms: 1, Suppressed: true},
			{ID: "vc:textiles-7-x", Sector: "vc:textiles", Res: 7, Cells: []uint64{CellBursa7},
				Geometry: orb.MultiPolygon{{square(29.05, 40.19, 0.1)}, {square(28.5, 40.5, 0.01)}},
				Firms:    3, LQ: ptrFloat(4.25), Completeness: ptrFloat(0), Stars: 1},
			{ID: "all-7", Sector: kume.SectorAll, Res: 7, Cells: []uint64{CellDenizli7},
				Geometry: orb.MultiPolygon{{square(29.08, 37.77, 0.05)}}, Firms: 2, Share: 1},
		},
		Regions: []kume.RegionStat{
			{Level: "province", Code: "16", Sector: "13", Firms: 10, Employees: 300, LQ: ptrFloat(2),
				LQEmployed: ptrFloat(1.8), Stars: 3, Strong: true, Entries: 2, Exits: 1, Undated: 4},
			{Level: "province", Code: "20", Sector: "13", Firms: 1, Suppressed: true},
			{Level: "province", Code: "16", Sector: kume.SectorAll, Firms: 30, LQ: ptrFloat(1), LQEmployed: ptrFloat(0)},
			{Level: "district", Code: "1609", Sector: "13", Firms: 4, LQ: ptrFloat(3.5), Stars: 2},
		},
	}
}

// syntheticAnalysis returns a result whose every row carries marker in Firms,
// so a reader can tell which version it sees.
func syntheticAnalysis(marker, cells int) *kume.AnalysisResult {
	r := &kume.AnalysisResult{Run: kume.AnalysisRun{
		StartedAt: time.Date(2024, 1, 1, 0, 0, marker, 0, time.UTC), FinishedAt: time.Date(2024, 1, 1, 0, 1, marker, 0, time.UTC),
		Params: json.RawMessage(`{"marker":` + strconv.Itoa(marker) + `}`)}}
	for _, c := range BursaCells(cells) {
		r.Cells = append(r.Cells, kume.CellStat{Res: 9, Cell: c, Sector: kume.SectorAll, Firms: marker})
	}
	for i := 0; i < 3; i++ {
		r.Clusters = append(r.Clusters, kume.Cluster{ID: "c" + strconv.Itoa(i), Sector: "13", Res: 9, Firms: marker,
			Cells: BursaCells(2), Geometry: orb.MultiPolygon{{square(29, 40, 0.1)}}})
	}
	for _, code := range []string{"16", "20", "34"} {
		r.Regions = append(r.Regions, kume.RegionStat{Level: "province", Code: code, Sector: "13", Firms: marker})
	}
	return r
}
