package geo

import (
	"context"
	"math"
	"slices"
)

// analyze computes the cube of one sector key on the grid: the study area,
// Gi* of every bin, the bins, the trends and the categories.
func (g *EmergingGrid) analyze(ctx context.Context, cube *occupiedCube, p EmergingParams) (*EmergingResult, error) {
	ri, T := g.ri, p.Steps.N
	// The occupied cells in the universe (both sorted).
	occU := make([]int32, len(cube.cells))
	c := 0
	for o, cell := range cube.cells {
		c = seekCell(ri.cells, c, cell)
		if c >= len(ri.cells) || ri.cells[c] != cell {
			return nil, emergingBad("cell %x is not in the grid", cell)
		}
		occU[o] = int32(c)
	}
	// The study area: the grid disks of the occupied cells. loc maps a
	// universe cell to its rank in the study area (−1 outside).
	loc := make([]int32, len(ri.cells))
	for i := range loc {
		loc[i] = -1
	}
	var us []int32
	for _, u := range occU {
		for _, v := range ri.ring(u) {
			if loc[v] == -1 {
				loc[v] = 0
				us = append(us, v)
			}
		}
	}
	slices.Sort(us)
	m := len(us)
	if n := int64(m) * int64(T); n > p.maxBins() {
		return nil, emergingBad("%d cells × %d time steps = %d bins, more than %d; lower k, the resolution or the number of steps",
			m, T, n, p.maxBins())
	}
	for i, u := range us {
		loc[u] = int32(i)
	}
	occOf := make([]int32, m) // study cell → occupied row, −1 for an empty cell
	for i := range occOf {
		occOf[i] = -1
	}
	for o, u := range occU {
		occOf[loc[u]] = int32(o)
	}
	values := cube.emp
	if !p.Employment {
		values = make([]float64, len(cube.firms))
		for i, n := range cube.firms {
			values[i] = float64(n)
		}
	}
	var sum, sum2 float64
	for _, v := range values {
		sum += v
		sum2 += v * v
	}
	mom := momentsOf(float64(m*T), sum, sum2)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	r := &EmergingResult{Res: g.res, Params: p, Cells: make([]uint64, m), NBins: m * T, Mean: mom.mean, SD: mom.sd,
		Z: make([]float64, m*T), Bins: make([]int8, m*T), Category: make([]Category, m), trend: make([]mkTest, m)}
	for i, u := range us {
		r.Cells[i] = ri.cells[u]
	}
	g.gi(r, us, loc, occOf, values, mom)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Thresholds = cubeThresholds(r.Z, p.FDR)
	level := int8(p.Level)
	alpha := p.Alpha()
	parallelChunks(m, func(lo, hi, _ int) {
		buf := make([]float64, T)
		for i := lo; i < hi; i++ {
			z, bins := r.Z[i*T:(i+1)*T], r.Bins[i*T:(i+1)*T]
			defined := true
			for t, v := range z {
				if math.IsNaN(v) {
					defined = false
					continue
				}
				bins[t] = int8(Bin(v, TwoSidedP(v), r.Thresholds))
			}
			if defined {
				r.trend[i] = mannKendall(z, buf)
			}
			tr := r.trend[i]
			up := tr.significant(alpha) && tr.s > 0
			down := tr.significant(alpha) && tr.s < 0
			r.Category[i] = ClassifyEmerging(bins, int(level), up, down)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Firms = make([]int32, m*T)
	r.Employees = make([]float64, m*T)
	if cube.supp != nil {
		r.Suppressed = make([]bool, m*T)
	}
	for i, o := range occOf {
		if o < 0 {
			continue
		}
		copy(r.Firms[i*T:(i+1)*T], cube.firms[int(o)*T:int(o+1)*T])
		copy(r.Employees[i*T:(i+1)*T], cube.emp[int(o)*T:int(o+1)*T])
		if cube.supp != nil {
			copy(r.Suppressed[i*T:(i+1)*T], cube.supp[int(o)*T:int(o+1)*T])
		}
	}
	return r, nil
}

// gi fills r.Z with Gi* of every bin. Bin (i, t) has the neighbours (j, s)
// with j in the study area within grid distance k of i and
// t − window ≤ s ≤ t (s ≥ 0), itself included; with binary weights
// Σw = Σw² = |N(i)| × (steps in the window).
func (g *EmergingGrid) gi(r *EmergingResult, us, loc, occOf []int32, values []float64, mom moments) {
	T, w := r.Params.Steps.N, r.Params.Window
	parallelChunks(len(us), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			row := r.Z[i*T : (i+1)*T]
			// Spatial sums per step, gathered from the occupied neighbours.
			cnt := 0
			for _, v := range g.ri.ring(us[i]) {
				j := loc[v]
				if j < 0 {
					continue
				}
				cnt++
				if o := occOf[j]; o >= 0 {
					for t, x := range values[int(o)*T : int(o+1)*T] {
						row[t] += x
					}
				}
			}
			// Running sums over time; then, from the last step down (so
			// that the sums still needed are not yet overwritten), the sum
			// over the window and Gi*.
			for t := 1; t < T; t++ {
				row[t] += row[t-1]
			}
			for t := T - 1; t >= 0; t-- {
				s := row[t]
				if b := t - w - 1; b >= 0 {
					s -= row[b]
				}
				W := float64(cnt * (t - max(0, t-w) + 1))
				if z, ok := mom.gi(s, W, W); ok {
					row[t] = z
				} else {
					row[t] = math.NaN()
				}
			}
		}
	})
}

// cubeThresholds returns the p-value cut-offs of bins 1..3 over the defined
// z-scores: 0.10, 0.05 and 0.01, or with FDR the Benjamini–Hochberg
// thresholds over all of them. Only p-values ≤ 0.10 can pass any of the
// three (p(i) ≤ i·q/m ≤ q), so only those are sorted.
func cubeThresholds(z []float64, fdr bool) [3]float64 {
	if !fdr {
		return binAlphas
	}
	small := make([]float64, 0, len(z)/8)
	m := 0
	for _, v := range z {
		if math.IsNaN(v) {
			continue
		}
		m++
		if p := TwoSidedP(v); p <= binAlphas[0] {
			small = append(small, p)
		}
	}
	slices.Sort(small)
	var t [3]float64
	for l, q := range binAlphas {
		t[l] = -1
		for i := len(small) - 1; i >= 0; i-- {
			if small[i] <= float64(i+1)*q/float64(m) {
				t[l] = small[i]
				break
			}
		}
	}
	return t
}

// Trend returns the Mann-Kendall test of cell i's z-scores (nil numbers when
// undefined).
func (r *EmergingResult) Trend(i int) MannKendallResult {
	mk := r.trend[i]
	out := MannKendallResult{N: r.Params.Steps.N, S: mk.s, VarS: mk.varS}
	if mk.ok {
		out.Z, out.P, out.Tau = ptr(mk.z), ptr(mk.p), ptr(mk.tau)
	}
	return out
}
