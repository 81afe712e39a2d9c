package geo

import (
	"context"
	"slices"

	"github.com/kume-geo/kume"
)

// Limits and defaults of the emerging hot spot analysis.
const (
	// MaxWindow is the largest time window (previous steps in a bin's
	// neighbourhood).
	MaxWindow = 24
	// MaxEmergingBins bounds the bins (study-area cells × time steps) of one
	// space-time cube.
	MaxEmergingBins = 50_000_000
)

// EmergingMethod documents the analysis (also written into API responses).
const EmergingMethod = "emerging hot spot analysis as ArcGIS Pro defines it (How Emerging Hot Spot Analysis works): " +
	"a space-time cube of H3 cells × time steps; Getis-Ord Gi* per bin (binary weights, the bin itself included) with " +
	"the neighbours of the cell's grid disk of radius k in the same step and the `window` previous steps, mean and " +
	"standard deviation over the whole cube (ArcGIS's default global window); bins ±1/±2/±3 at 90/95/99% confidence, " +
	"with the Benjamini–Hochberg false discovery rate over all bins of the cube when fdr is on; the Mann-Kendall trend " +
	"test (ties in the variance, continuity correction, two-sided normal p, Kendall's tau-b) on each cell's series of " +
	"z-scores; the 17 categories by ArcGIS's rules (90% of the steps, the final step, the trend's sign and significance)"

// EmergingStudyArea documents the cube's locations.
const EmergingStudyArea = "every cell with at least one active firm of the sector key at some time step of the span " +
	"(counted at this resolution), plus every cell within grid distance k of such a cell; empty bins count as zero"

// EmergingParams are the parameters of one emerging hot spot analysis.
type EmergingParams struct {
	// Steps is the span: its step and number of steps.
	Steps TimeSteps
	// K is the radius of a cell's grid disk (its spatial neighbours and the
	// study-area buffer), 1..MaxK.
	K int
	// Window is the number of previous time steps in a bin's neighbourhood
	// (ArcGIS's neighbourhood time step), 0..MaxWindow.
	Window int
	// FDR applies the Benjamini–Hochberg correction over all bins.
	FDR bool
	// Level is the confidence a bin (and the trend) must reach to count as
	// significant: 1, 2 or 3 for 90, 95 or 99% (p ≤ 0.10, 0.05, 0.01).
	Level int
	// Employment analyses employment (exact head counts and band
	// midpoints) instead of active firms.
	Employment bool
	// Undated says how firms without a founding date count.
	Undated Undated
	// DisclosureK and DominanceShare, when DisclosureK > 0, mark the cell-steps
	// that Suppressed withholds from public output.
	DisclosureK    int
	DominanceShare float64
	// MaxBins, when positive and below MaxEmergingBins, lowers the bound on
	// the bins of one cube.
	MaxBins int64
}

// Alpha returns the p-value of the confidence level: 0.10, 0.05 or 0.01.
func (p EmergingParams) Alpha() float64 { return binAlphas[max(0, min(2, p.Level-1))] }

// Validate checks the parameters (EINVALID naming the first that is wrong).
func (p EmergingParams) Validate() error {
	if err := p.Steps.Validate(); err != nil {
		return err
	}
	if p.K < 1 || p.K > MaxK {
		return emergingBad("k %d outside 1..%d", p.K, MaxK)
	}
	if p.Window < 0 || p.Window > MaxWindow {
		return emergingBad("window %d outside 0..%d", p.Window, MaxWindow)
	}
	if p.Level < 1 || p.Level > 3 {
		return emergingBad("confidence level %d outside 1..3", p.Level)
	}
	if p.Undated != UndatedPresent && p.Undated != UndatedOmit {
		return emergingBad("undated %q is not %q or %q", p.Undated, UndatedPresent, UndatedOmit)
	}
	if p.DisclosureK < 0 || p.DisclosureK > 1e6 || (p.DisclosureK > 0 && !(p.DominanceShare > 0 && p.DominanceShare <= 1)) {
		return emergingBad("disclosure_k %d / dominance_share %v out of range", p.DisclosureK, p.DominanceShare)
	}
	return nil
}

// maxBins is the bound on the bins of one cube.
func (p EmergingParams) maxBins() int64 {
	if p.MaxBins > 0 && p.MaxBins < MaxEmergingBins {
		return p.MaxBins
	}
	return MaxEmergingBins
}

// DatedFirm is one firm as a space-time cube sees it.
type DatedFirm struct {
	// Cell is the firm's H3 cell, at least as fine as the cube's resolution.
	Cell uint64
	// MaxRes is the finest resolution at which the firm counts (its geocode
	// precision, see MaxResFor); at finer resolutions it is left out.
	MaxRes int8
	// Founded and Closed are the days it was founded and closed, NoDay when
	// unknown.
	Founded, Closed Day
	// Employees is its head count or band midpoint (0 when unknown);
	// ExactEmployees is set for an exact head count.
	Employees      float64
	ExactEmployees bool
}

// MaxResFor returns the finest resolution at which a firm of precision pr
// counts, from a table like Params.MaxResByPrecision (an empty precision is
// an address; a precision the table lacks counts at every resolution).
func MaxResFor(table map[kume.Precision]int, pr kume.Precision) int {
	if pr == "" {
		pr = kume.PrecisionAddress
	}
	if r, ok := table[pr]; ok {
		return r
	}
	return MaxResolution
}

// EmergingResult is the emerging hot spot analysis of one sector key at one
// resolution. Per-bin slices are row-major: bin (cell i, step t) is at
// i*Steps.N + t.
type EmergingResult struct {
	Res    int
	Params EmergingParams
	// Cells is the study area (EmergingStudyArea), sorted.
	Cells []uint64
	// Firms and Employees are the active firms and their employment per
	// bin; Suppressed marks bins to withhold from public output (nil when
	// Params.DisclosureK is 0).
	Firms      []int32
	Employees  []float64
	Suppressed []bool
	// Z is Gi* per bin (NaN when undefined: zero variance over the cube);
	// Bins is its bin −3..3 (0 when undefined).
	Z    []float64
	Bins []int8
	// Thresholds are the p-value cut-offs of bins 1, 2 and 3 (−1: none
	// passes).
	Thresholds [3]float64
	// Mean and SD are the mean and population SD of the analysed values
	// over all bins; NBins is their number.
	Mean, SD float64
	NBins    int
	// Category is each cell's pattern; Trend(i) the Mann-Kendall test of
	// its z-scores.
	Category []Category
	trend    []mkTest
}

// Series returns the bounds [lo, hi) of cell i's bins in the per-bin
// slices (Firms, Z, Bins, ...).
func (r *EmergingResult) Series(i int) (lo, hi int) {
	return i * r.Params.Steps.N, (i + 1) * r.Params.Steps.N
}

// EmergingGrid holds the neighbourhoods of one resolution for every cube
// analysed on it: the universe of cells (every cell within grid distance k
// of an occupied cell) and each cell's grid disk within it. A grid built
// once serves the cubes of every sector key whose cells it covers; it is
// safe for concurrent use.
type EmergingGrid struct {
	res int
	ri  *ringIndex
}

// NewEmergingGrid builds the grid of resolution res and radius k around
// the given cells (any order, repeats allowed). Invalid cells, cells of
// another resolution, or a universe that could exceed MaxEmergingBins
// cells, are an EINVALID error.
func NewEmergingGrid(cells []uint64, res, k int) (*EmergingGrid, error) {
	if res < 0 || res > MaxResolution {
		return nil, emergingBad("resolution %d outside 0..%d", res, MaxResolution)
	}
	if k < 1 || k > MaxK {
		return nil, emergingBad("k %d outside 1..%d", k, MaxK)
	}
	occ := slices.Clone(cells)
	slices.Sort(occ)
	occ = slices.Compact(occ)
	if n := int64(len(occ)) * diskSize(k); n > MaxEmergingBins {
		return nil, emergingBad("%d cells with k = %d: up to %d cells in the grid, more than %d; lower k or the resolution",
			len(occ), k, n, int64(MaxEmergingBins))
	}
	for _, c := range occ {
		if !ValidCell(c) || CellResolution(c) != res {
			return nil, emergingBad("%x is not a valid H3 cell of resolution %d", c, res)
		}
	}
	return &EmergingGrid{res: res, ri: newRingIndex(occ, k)}, nil
}

// Emerging runs the emerging hot spot analysis of firms (one sector key) at
// resolution res: it builds the grid around the firms' cells and analyses
// the cube (EmergingGrid.Analyze). The bound on the bins is checked on the
// grid-disk sizes before any neighbourhood is computed.
func Emerging(ctx context.Context, firms []DatedFirm, res int, p EmergingParams) (*EmergingResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	cube, err := aggregateCube(firms, res, p)
	if err != nil {
		return nil, err
	}
	if n := int64(len(cube.cells)) * diskSize(p.K) * int64(p.Steps.N); n > p.maxBins() {
		return nil, emergingBad("%d occupied cells with k = %d and %d time steps make up to %d bins, more than %d; "+
			"lower k, the resolution or the number of steps", len(cube.cells), p.K, p.Steps.N, n, p.maxBins())
	}
	g, err := NewEmergingGrid(cube.cells, res, p.K)
	if err != nil {
		return nil, err
	}
	return g.analyze(ctx, cube, p)
}

// Analyze runs the emerging hot spot analysis of firms (one sector key) on
// the grid: it counts the firms active at each step per cell, computes Gi*
// of every bin of the cube over the study area, the bins (with the false
// discovery rate when p.FDR), the Mann-Kendall trend of each cell's
// z-scores, and its category (ClassifyEmerging). p.K must be the grid's k,
// and every firm counted must lie in the grid (EINVALID otherwise).
func (g *EmergingGrid) Analyze(ctx context.Context, firms []DatedFirm, p EmergingParams) (*EmergingResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.K != g.ri.k {
		return nil, emergingBad("k %d, but the grid was built with k = %d", p.K, g.ri.k)
	}
	cube, err := aggregateCube(firms, g.res, p)
	if err != nil {
		return nil, err
	}
	return g.analyze(ctx, cube, p)
}
