package geo

import (
	"context"
	"math"

	"github.com/kume-geo/kume"
)

// Limits of local Moran's I (LocalMoran, LocalMoranCells).
const (
	// MaxPermutations is the largest number of conditional permutations.
	MaxPermutations = 9999
	// MaxMoranWork bounds the permutation work: the neighbour draws
	// Σ_i |N(i)| × max(1, permutations) of one computation.
	MaxMoranWork = 1_000_000_000
	// MaxMoranPairs bounds the neighbour pairs Σ_i |N(i)| held in memory.
	MaxMoranPairs = 50_000_000
	// MaxMoranValue bounds |x|, so that sums of squares stay finite.
	MaxMoranValue = 1e150
)

// Quadrant is the Moran scatterplot quadrant of a unit: its value and the
// spatial lag of its neighbours above (H) or not above (L) the mean.
type Quadrant string

// Quadrants, in PySAL's numbering 1–4 (HH, LH, LL, HL).
const (
	QuadrantHH Quadrant = "HH"
	QuadrantLH Quadrant = "LH"
	QuadrantLL Quadrant = "LL"
	QuadrantHL Quadrant = "HL"
)

// MoranParams are the options of a local Moran's I computation.
type MoranParams struct {
	// Permutations is the number of conditional permutations (0 = none,
	// at most MaxPermutations).
	Permutations int
	// Seed makes the permutations reproducible: unit i draws from a PCG
	// seeded with (Seed, i), whatever the number of goroutines.
	Seed uint64
	// MaxWork, when positive and below MaxMoranWork, lowers the bound on
	// the neighbour draws of one computation (for callers who pay less).
	MaxWork int64
}

// LocalMoranI is local Moran's I of one unit. Pointers are nil where the
// statistic is undefined (see LocalMoran); no field is ever NaN or Inf.
type LocalMoranI struct {
	// I = (x_i − X̄)/m2 · Σ_{j≠i} w_ij (x_j − X̄), row-standardised weights.
	I *float64 `json:"i"`
	// Lag is the spatial lag Σ_j w_ij (x_j − X̄).
	Lag *float64 `json:"lag"`
	// Quadrant is HH, LH, LL or HL ("" when I is undefined).
	Quadrant Quadrant `json:"quadrant"`
	// Neighbors is |N(i)|, the number of neighbours (self excluded).
	Neighbors int `json:"neighbors"`
	// EISim and VISim are the mean and the (population) variance of I over
	// the permutations, ZSim = (I − EISim)/√VISim (PySAL's EI_sim, VI_sim,
	// z_sim); PSim is the folded pseudo p-value (PySAL's p_sim).
	EISim *float64 `json:"ei_sim"`
	VISim *float64 `json:"vi_sim"`
	ZSim  *float64 `json:"z_sim"`
	PSim  *float64 `json:"p_sim"`
}

// MoranResult is local Moran's I of every unit, in input order.
type MoranResult struct {
	// N is the number of units (cells of the study area).
	N int `json:"n"`
	// Permutations and Seed are the parameters the p-values were drawn with.
	Permutations int    `json:"permutations"`
	Seed         uint64 `json:"seed"`
	// GlobalI is global Moran's I with the same row-standardised weights
	// (S0 = the number of units with a neighbour), equal to the mean of the
	// defined local I; nil when undefined.
	GlobalI *float64 `json:"global_i"`
	// Local holds one result per unit, in input order.
	Local []LocalMoranI `json:"local"`
}

// MoranMethod documents the statistic (also written into API responses).
const MoranMethod = "local Moran's I (Anselin 1995): I_i = (x_i − X̄)/m2 · Σ_{j≠i} w_ij (x_j − X̄), m2 = Σ_j (x_j − X̄)²/n, " +
	"binary neighbours (self excluded) row-standardised; quadrants HH, LH, LL, HL by the signs of x_i − X̄ and of the lag " +
	"(zero counts as low); significance by conditional permutation: for each unit its neighbour count of values drawn " +
	"without replacement from the other n − 1 units; folded pseudo p-value p = (min(G, P − G) + 1)/(P + 1), " +
	"G = permutations with I ≥ the observed I (PySAL esda Moran_Local's p_sim)"

// LocalMoran computes local Moran's I of the values x with binary weights
// given as neighbour lists (neighbors[i] lists the units j ≠ i with
// w_ij = 1), row-standardised.
//
// Undefined results are nil, never NaN: every unit when n < 3 or all values
// are equal (m2 = 0); a unit without neighbours (its lag is empty); the
// permutation statistics when Permutations is 0. A unit whose value equals
// the mean, or whose neighbours are all the other units, has the observed I
// under every permutation: its p-value is 1 (PySAL's folding would give the
// smallest p-value instead). Bad input (lengths, NaN
// or Inf or |x| > MaxMoranValue, a neighbour out of range, repeated or equal
// to the unit, parameters out of range, work beyond MaxMoranWork) is an
// EINVALID error.
func LocalMoran(ctx context.Context, x []float64, neighbors [][]int, p MoranParams) (*MoranResult, error) {
	if len(neighbors) != len(x) {
		return nil, moranBad("%d values but %d neighbour lists", len(x), len(neighbors))
	}
	g := &graph{off: make([]int32, len(x)+1)}
	pairs := 0
	for _, nb := range neighbors {
		pairs += len(nb)
	}
	if pairs > MaxMoranPairs {
		return nil, moranBad("%d neighbour pairs, more than %d", pairs, MaxMoranPairs)
	}
	g.nb = make([]int32, 0, pairs)
	seen := make([]int32, len(x)) // seen[j] == i+1: j already listed for i
	for i, nb := range neighbors {
		for _, j := range nb {
			switch {
			case j < 0 || j >= len(x):
				return nil, moranBad("neighbour %d of unit %d out of range", j, i)
			case j == i:
				return nil, moranBad("unit %d lists itself as a neighbour", i)
			case seen[j] == int32(i+1):
				return nil, moranBad("unit %d lists neighbour %d twice", i, j)
			}
			seen[j] = int32(i + 1)
			g.nb = append(g.nb, int32(j))
		}
		g.off[i+1] = int32(len(g.nb))
	}
	return localMoran(ctx, x, g, p)
}

// graph holds neighbour lists in compressed rows: the neighbours of unit i
// are nb[off[i]:off[i+1]].
type graph struct {
	off []int32
	nb  []int32
}

func (g *graph) of(i int) []int32 { return g.nb[g.off[i]:g.off[i+1]] }

func moranBad(format string, args ...any) error {
	return kume.Errorf(kume.EINVALID, "geo: local Moran: "+format, args...)
}

// checkMoranParams validates the permutations.
func checkMoranParams(p MoranParams) error {
	if p.Permutations < 0 || p.Permutations > MaxPermutations {
		return moranBad("permutations %d outside 0..%d", p.Permutations, MaxPermutations)
	}
	return nil
}

// checkMoranWork rejects a computation of more than MaxMoranWork draws, or
// p.MaxWork when that is lower.
func checkMoranWork(pairs int64, p MoranParams) error {
	limit := int64(MaxMoranWork)
	if p.MaxWork > 0 {
		limit = min(limit, p.MaxWork)
	}
	if w := pairs * int64(max(1, p.Permutations)); w > limit {
		return moranBad("too much work: %d neighbour pairs × %d permutations = %d draws, more than %d; "+
			"lower permutations, k or the resolution", pairs, max(1, p.Permutations), w, limit)
	}
	return nil
}

// checkValues rejects values that are not finite or too large.
func checkValues(x []float64) error {
	for i, v := range x {
		if !finite(v) || math.Abs(v) > MaxMoranValue {
			return moranBad("value %v of unit %d is not a finite number of magnitude at most %g", v, i, MaxMoranValue)
		}
	}
	return nil
}

// localMoran computes the statistic over a validated graph.
func localMoran(ctx context.Context, x []float64, g *graph, p MoranParams) (*MoranResult, error) {
	if err := checkMoranParams(p); err != nil {
		return nil, err
	}
	if err := checkValues(x); err != nil {
		return nil, err
	}
	if err := checkMoranWork(int64(len(g.nb)), p); err != nil {
		return nil, err
	}
	n := len(x)
	res := &MoranResult{N: n, Permutations: p.Permutations, Seed: p.Seed, Local: make([]LocalMoranI, n)}
	for i := range res.Local {
		res.Local[i].Neighbors = int(g.off[i+1] - g.off[i])
	}
	if n < 3 {
		return res, nil
	}
	var sum float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(n)
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	m2 := ss / float64(n)
	if !(m2 > 0) || !finite(m2) || m2 <= 1e-24*math.Max(1, mean*mean) {
		return res, nil
	}
	st := moranStats{x: x, g: g, mean: mean, m2: m2, perms: p.Permutations, seed: p.Seed}
	if err := st.run(ctx, res.Local); err != nil {
		return nil, err
	}
	var tot float64
	var defined int
	for i := range res.Local {
		if v := res.Local[i].I; v != nil {
			tot += *v
			defined++
		}
	}
	if defined > 0 {
		res.GlobalI = finitePtr(tot / float64(defined))
	}
	return res, nil
}

// finitePtr returns a pointer to v, or nil when v is NaN or infinite.
func finitePtr(v float64) *float64 {
	if !finite(v) {
		return nil
	}
	return &v
}
