package kume

import (
	"encoding/json"
	"time"

	"github.com/paulmach/orb"
)

// SectorAll is the sector key of "all firms".
const SectorAll = ""

// A sector key names what an aggregate counts: SectorAll, a NACE code at any
// level ("C", "13", "13.2", "13.20") or a value chain as "vc:<id>".

// AnalysisRun describes one completed analysis: a data version.
type AnalysisRun struct {
	Version    int64           `json:"version"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt time.Time       `json:"finished_at"`
	Params     json.RawMessage `json:"params"` // the method parameters, as the geo package wrote them
	// Scope names the datasets the analysis reads ("" is AnalysisPublic);
	// a store keeps the current analysis of each scope.
	Scope AnalysisScope `json:"scope"`
	// Datasets are the datasets the run read, by id. Who may read the
	// results is decided by them (Access.CanReadAnalysis).
	Datasets []AnalysisDataset `json:"datasets"`
	// Omitted are the datasets the run left out, each with its Reason.
	Omitted []AnalysisDataset `json:"omitted,omitempty"`
}

// CellStat is the aggregate of one sector key in one H3 cell.
type CellStat struct {
	Res       int     `json:"res"`
	Cell      uint64  `json:"cell"`
	Sector    string  `json:"sector"`
	Firms     int     `json:"firms"`     // active firms at the reference date
	Closed    int     `json:"closed"`    // firms closed on or before the reference date
	Employees float64 `json:"employees"` // exact counts plus band midpoints
	// EmployeesEstimated is the part of Employees that comes from band midpoints.
	EmployeesEstimated float64 `json:"employees_estimated"`
	// Imprecise counts firms placed coarser than the resolution allows.
	Imprecise int      `json:"imprecise"`
	LQ        *float64 `json:"lq"`
	GiZ       *float64 `json:"gi_z"`
	GiP       *float64 `json:"gi_p"`
	GiBin     int      `json:"gi_bin"`
	// Suppressed marks an aggregate below the disclosure threshold.
	Suppressed bool `json:"suppressed"`
	// Institutions counts institutions by type (set on SectorAll rows only).
	Institutions map[InstitutionType]int `json:"institutions,omitempty"`
}

// Cluster is a cluster: the firms of one value chain (or of one NACE division
// no chain covers) significantly over-represented in one place, with the
// actors around them. Its footprint is a connected set of H3 cells at one
// resolution, each of which passed the specialisation test (see Method).
type Cluster struct {
	ID     string `json:"id"` // stable across runs for the same key, resolution and cells
	Sector string `json:"sector"`
	Res    int    `json:"res"`
	// Name is the English name, place and value chain ("Mitte – ICT and
	// software"); NameTR the Turkish one; Place the place part alone.
	Name     string           `json:"name"`
	NameTR   string           `json:"name_tr"`
	Place    string           `json:"place"`
	Cells    []uint64         `json:"cells"`
	Geometry orb.MultiPolygon `json:"-"`
	// Firms and Employees count the firms of the sector key (every role of a
	// value chain) active in the footprint.
	Firms     int     `json:"firms"`
	Employees float64 `json:"employees"`
	// FocusFirms counts the firms of the activity the specialisation test
	// counts (a chain's core roles, or the division); Expected is how many the
	// footprint would hold at the benchmark's share; LQ = FocusFirms/Expected.
	FocusFirms int      `json:"focus_firms"`
	Expected   float64  `json:"expected"`
	LQ         *float64 `json:"lq"`
	Share      float64  `json:"share"` // of the sector's total firms
	// Method names the test that delineated the cluster; PValue is the largest
	// one-sided p-value among its cells (each at or below the false discovery
	// rate threshold of its test) and LLR Kulldorff's Poisson log-likelihood
	// ratio of the footprint, which chose its resolution.
	Method     string   `json:"method"`
	PValue     *float64 `json:"p_value"`
	LLR        float64  `json:"llr"`
	Stars      int      `json:"stars"`
	Strong     bool     `json:"strong"` // U.S. Cluster Mapping Project strong cluster
	Suppressed bool     `json:"suppressed"`
	// InstitutionsInside and InstitutionsNear count supporting institutions by
	// type inside the footprint and within the configured distance of it.
	InstitutionsInside map[InstitutionType]int `json:"institutions_inside"`
	InstitutionsNear   map[InstitutionType]int `json:"institutions_near"`
	RolesPresent       []Role                  `json:"roles_present,omitempty"`
	RolesMissing       []Role                  `json:"roles_missing,omitempty"`
	Completeness       *float64                `json:"completeness"`
	// Composition lists the NACE codes of the sector key present in the
	// footprint, most firms first.
	Composition []CompositionItem `json:"composition,omitempty"`
	// Ecosystem says which of the supporting actors the cluster definition
	// names are within reach.
	Ecosystem *Ecosystem `json:"ecosystem,omitempty"`
	// Profile is the competitiveness profile as the geo package wrote it.
	Profile json.RawMessage `json:"profile,omitempty"`
}

// CompositionItem is one NACE code inside a cluster.
type CompositionItem struct {
	Code      string  `json:"code"`
	Role      Role    `json:"role,omitempty"` // its value-chain role, for a chain's cluster
	Firms     int     `json:"firms"`
	Employees float64 `json:"employees"`
}

// Ecosystem is the set of supporting actors of a cluster by the kinds the
// cluster definition names (EcosystemKinds): which are within reach, which
// are missing, which could not be assessed, and the share present of those
// assessed. A kind known only from the institution register is unassessed
// where that register holds no institution near the cluster (none loaded
// there is unknown, not absent).
type Ecosystem struct {
	Present      []string `json:"present"`
	Missing      []string `json:"missing"`
	Unassessed   []string `json:"unassessed,omitempty"`
	Completeness float64  `json:"completeness"`
}

// RegionStat is the aggregate of one sector key in one region.
type RegionStat struct {
	Level      string   `json:"level"`
	Code       string   `json:"code"`
	Sector     string   `json:"sector"`
	Firms      int      `json:"firms"`
	Employees  float64  `json:"employees"`
	LQ         *float64 `json:"lq"`
	LQEmployed *float64 `json:"lq_employment"`
	Stars      int      `json:"stars"`
	Strong     bool     `json:"strong"`
	Suppressed bool     `json:"suppressed"`
	Entries    int      `json:"entries"`
	Exits      int      `json:"exits"`
	// Undated counts the active firms whose founding date is unknown: entries
	// and growth say nothing about them.
	Undated int `json:"undated"`
}

// AnalysisResult is everything one analysis run produces. A store saves it
// atomically under a new data version.
type AnalysisResult struct {
	Run      AnalysisRun
	Cells    []CellStat
	Clusters []Cluster
	Regions  []RegionStat
}

// CellFilter selects cell statistics of the current public analysis (or of a
// given data version).
type CellFilter struct {
	Version int64 // 0 = the current public analysis
	Res     int
	Sector  string
	BBox    *orb.Bound // cells whose centre lies in the box; nil = all
	// Cells restricts the result to these cells (nil = no restriction).
	Cells []uint64
}

// ClusterFilter selects clusters.
type ClusterFilter struct {
	Version int64 // 0 = the current public analysis
	// Sectors keeps the clusters of any of these sector keys; nil keeps
	// every key's.
	Sectors []string
	Res     int // 0 = any
	BBox    *orb.Bound
}

// RegionStatFilter selects region statistics.
type RegionStatFilter struct {
	Version int64 // 0 = the current public analysis
	Level   string
	Sector  string
	Codes   []string
}
