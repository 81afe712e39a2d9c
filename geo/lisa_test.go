package geo

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"testing"

	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// lattice returns rook neighbours on a rows×cols grid and integer values
// with a hot corner, a cold stripe and noise.
func lattice(rows, cols int) ([]float64, [][]int) {
	x := make([]float64, rows*cols)
	nb := make([][]int, rows*cols)
	for r := range rows {
		for c := range cols {
			i := r*cols + c
			x[i] = float64((r*7+c*13)%5 + max(0, 6-r-c)*3)
			if c == cols-1 {
				x[i] = 0
			}
			for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				rr, cc := r+d[0], c+d[1]
				if rr >= 0 && rr < rows && cc >= 0 && cc < cols {
					nb[i] = append(nb[i], rr*cols+cc)
				}
			}
		}
	}
	return x, nb
}

// denseMoran computes local Moran's I from an explicit row-standardised
// n×n weight matrix, and global Moran's I = (n/S0) Σ_ij w_ij d_i d_j / Σ d².
func denseMoran(x []float64, w [][]float64) (local []float64, global float64) {
	n := len(x)
	for i := range w {
		var s float64
		for j := range w[i] {
			s += w[i][j]
		}
		for j := range w[i] {
			if s > 0 {
				w[i][j] /= s
			}
		}
	}
	var mean float64
	for _, v := range x {
		mean += v / float64(n)
	}
	var m2, s0, cross float64
	for _, v := range x {
		m2 += (v - mean) * (v - mean) / float64(n)
	}
	local = make([]float64, n)
	for i := range n {
		var lag float64
		for j := range n {
			lag += w[i][j] * (x[j] - mean)
			s0 += w[i][j]
			cross += w[i][j] * (x[i] - mean) * (x[j] - mean)
		}
		local[i] = (x[i] - mean) / m2 * lag
	}
	return local, float64(n) / s0 * cross / (m2 * float64(n))
}

func TestLocalMoranMatchesDenseMatrix(t *testing.T) {
	x, nb := lattice(6, 7)
	w := make([][]float64, len(x))
	for i := range w {
		w[i] = make([]float64, len(x))
		for _, j := range nb[i] {
			w[i][j] = 1
		}
	}
	want, global := denseMoran(x, w)
	got, err := LocalMoran(context.Background(), x, nb, MoranParams{})
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for i := range want {
		if got.Local[i].I == nil || math.Abs(*got.Local[i].I-want[i]) > 1e-12 {
			t.Fatalf("unit %d: I = %v, want %v", i, got.Local[i].I, want[i])
		}
		mean += *got.Local[i].I / float64(len(want))
	}
	if got.GlobalI == nil || math.Abs(*got.GlobalI-global) > 1e-12 || math.Abs(mean-global) > 1e-12 {
		t.Errorf("global I %v, mean of local I %v, dense global %v", got.GlobalI, mean, global)
	}
	if global < 0.2 {
		t.Errorf("the lattice should be positively autocorrelated, global I = %v", global)
	}
}

// h3Disk returns the cells of a grid disk of radius r around a cell of
// Istanbul at res 8, with integer values: a hot spot off centre.
func h3Disk(t *testing.T, r int) ([]uint64, []float64) {
	t.Helper()
	origin := h3.LatLngToCell(h3.NewLatLng(41.0, 29.0), 8)
	hot := h3.LatLngToCell(h3.NewLatLng(41.01, 29.01), 8)
	disk := h3.GridDisk(origin, r)
	cells := make([]uint64, len(disk))
	x := make([]float64, len(disk))
	for i, c := range disk {
		cells[i] = uint64(c)
		d := h3.GridDistance(c, hot)
		if d < 0 {
			t.Fatal("no grid distance")
		}
		x[i] = float64(max(0, 5-d)*2 + i%3)
	}
	return cells, x
}

func TestLocalMoranCellsMatchesDenseMatrix(t *testing.T) {
	cells, x := h3Disk(t, 6)
	for _, k := range []int{1, 2} {
		// Weights by h3.GridDistance, not by grid disks.
		w := make([][]float64, len(cells))
		for i := range w {
			w[i] = make([]float64, len(cells))
			for j := range cells {
				d := h3.GridDistance(h3.Cell(cells[i]), h3.Cell(cells[j]))
				if d < 0 {
					t.Fatal("no grid distance")
				}
				if i != j && d <= k {
					w[i][j] = 1
				}
			}
		}
		want, global := denseMoran(x, w)
		got, err := LocalMoranCells(context.Background(), cells, x, k, MoranParams{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got.Local[i].I == nil || math.Abs(*got.Local[i].I-want[i]) > 1e-12 {
				t.Fatalf("k=%d cell %d: I = %v, want %v", k, i, got.Local[i].I, want[i])
			}
		}
		if got.GlobalI == nil || math.Abs(*got.GlobalI-global) > 1e-12 {
			t.Errorf("k=%d: global I %v, want %v", k, got.GlobalI, global)
		}
	}
}

func TestLocalMoranQuadrants(t *testing.T) {
	x, nb := lattice(5, 5)
	got, err := LocalMoran(context.Background(), x, nb, MoranParams{})
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, v := range x {
		mean += v / float64(len(x))
	}
	seen := map[Quadrant]int{}
	for i, l := range got.Local {
		var lag float64
		for _, j := range nb[i] {
			lag += (x[j] - mean) / float64(len(nb[i]))
		}
		want := map[[2]bool]Quadrant{{true, true}: QuadrantHH, {false, true}: QuadrantLH,
			{false, false}: QuadrantLL, {true, false}: QuadrantHL}[[2]bool{x[i] > mean, lag > 0}]
		if l.Quadrant != want {
			t.Errorf("unit %d: quadrant %q, want %q (x−X̄ = %v, lag %v)", i, l.Quadrant, want, x[i]-mean, lag)
		}
		if (*l.I > 0) != (want == QuadrantHH || want == QuadrantLL) && *l.I != 0 {
			t.Errorf("unit %d: I = %v in quadrant %s", i, *l.I, want)
		}
		seen[l.Quadrant]++
	}
	if len(seen) != 4 {
		t.Errorf("the lattice should fill all four quadrants: %v", seen)
	}
}

// desmith is the 10-unit example of de Smith, Goodchild & Longley
// (Geospatial Analysis) shipped with PySAL as desmith.gal / desmith.txt.
var (
	desmithY  = []float64{2.24, 3.10, 4.55, -5.15, -4.39, 0.46, 5.54, 9.02, -2.09, -3.06}
	desmithNb = [][]int{{1, 3}, {0, 4}, {3, 6}, {0, 2, 4, 7}, {1, 3, 5, 8}, {4, 9}, {2, 7}, {3, 6, 8}, {4, 7, 9}, {5, 8}}
)

// TestLocalMoranPySALDesmith reproduces PySAL esda's published results on
// the desmith example with row-standardised weights: the quadrants of
// Moran_Local's docstring (q = 4 4 4 2 3 3 1 4 3 3) and, from esda's
// test_moran.py (test_local_moments), the exact mean EIc and variance VIc of
// each unit's conditional-permutation distribution (Sokal et al. 1998, eqs.
// A7–A8, in Anselin's scaling m2 = Σd²/n used here; esda's Is are (n−1)/n
// times these). 9999 seeded permutations must land within a few standard
// errors of them; drawing with replacement would overshoot VIc by the
// finite-population factor (n−2)/(n−1−k), 14–60 % here.
func TestLocalMoranPySALDesmith(t *testing.T) {
	wantQ := []Quadrant{QuadrantHL, QuadrantHL, QuadrantHL, QuadrantLH, QuadrantLL, QuadrantLL, QuadrantHH, QuadrantHL, QuadrantLL, QuadrantLL}
	eic := []float64{-0.00838113, -0.0243949, -0.07031778, -0.21520869, -0.16547163, -0.00178435, -0.11531888, -0.36138555, -0.05471258, -0.09413562}
	vic := []float64{0.03636013, 0.10412408, 0.28600769, 0.26389674, 0.21576683, 0.00779261, 0.44633942, 0.57696508, 0.12929777, 0.3730742}
	const perms = 9999
	got, err := LocalMoran(context.Background(), desmithY, desmithNb, MoranParams{Permutations: perms, Seed: 12345})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range got.Local {
		if l.Quadrant != wantQ[i] {
			t.Errorf("unit %d: quadrant %s, want %s", i, l.Quadrant, wantQ[i])
		}
		ei, vi := *l.EISim, *l.VISim
		if se := math.Sqrt(vic[i] / perms); math.Abs(ei-eic[i]) > 4*se {
			t.Errorf("unit %d: EI_sim %.6f, exact %.6f, off by %.1f SE", i, ei, eic[i], math.Abs(ei-eic[i])/se)
		}
		if math.Abs(vi-vic[i]) > 0.06*vic[i] {
			t.Errorf("unit %d: VI_sim %.6f, exact %.6f", i, vi, vic[i])
		}
		if z := (*l.I - *l.EISim) / math.Sqrt(*l.VISim); math.Abs(*l.ZSim-z) > 1e-12 {
			t.Errorf("unit %d: z_sim %v, want %v", i, *l.ZSim, z)
		}
		if *l.PSim < 1.0/(perms+1) || *l.PSim > 0.5+1.0/(perms+1) {
			t.Errorf("unit %d: p_sim %v", i, *l.PSim)
		}
	}
}

func TestLocalMoranDeterministic(t *testing.T) {
	cells, x := h3Disk(t, 12) // 469 cells
	run := func(procs int, shuffle bool) *MoranResult {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		cs, xs := cells, x
		if shuffle {
			cs, xs = make([]uint64, len(cells)), make([]float64, len(x))
			for i := range cells {
				j := (i*7919 + 13) % len(cells)
				cs[j], xs[j] = cells[i], x[i]
			}
		}
		r, err := LocalMoranCells(context.Background(), cs, xs, 1, MoranParams{Permutations: 999, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if shuffle {
			back := make([]LocalMoranI, len(r.Local))
			for i := range cells {
				back[i] = r.Local[(i*7919+13)%len(cells)]
			}
			r.Local = back
		}
		return r
	}
	one, four, shuffled := run(1, false), run(4, false), run(3, true)
	if !reflect.DeepEqual(one, four) {
		t.Error("GOMAXPROCS 1 and 4 give different results")
	}
	if !reflect.DeepEqual(one, shuffled) {
		t.Error("the input order changes the results")
	}
	other, err := LocalMoranCells(context.Background(), cells, x, 1, MoranParams{Permutations: 999, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(one.Local, other.Local) {
		t.Error("another seed gives the same p-values")
	}
	sig := 0
	for i, l := range one.Local {
		if l.PSim == nil || *l.PSim < 1.0/1000 || *l.PSim > 1 {
			t.Fatalf("cell %d: p_sim %v outside [1/1000, 1]", i, l.PSim)
		}
		if *l.PSim <= 0.05 {
			sig++
		}
		if math.Abs(*l.PSim-*other.Local[i].PSim) > 0.1 {
			t.Errorf("cell %d: p_sim %v with one seed, %v with another", i, *l.PSim, *other.Local[i].PSim)
		}
	}
	if sig == 0 || sig == len(cells) {
		t.Errorf("%d of %d cells significant at 0.05", sig, len(cells))
	}
}

func TestLocalMoranUndefined(t *testing.T) {
	ctx := context.Background()
	allNil := func(name string, r *MoranResult) {
		t.Helper()
		if r.GlobalI != nil {
			t.Errorf("%s: global I %v, want nil", name, *r.GlobalI)
		}
		for i, l := range r.Local {
			if l.I != nil || l.Lag != nil || l.PSim != nil || l.EISim != nil || l.Quadrant != "" {
				t.Errorf("%s: unit %d defined: %+v", name, i, l)
			}
		}
	}
	r, err := LocalMoran(ctx, []float64{1, 2}, [][]int{{1}, {0}}, MoranParams{Permutations: 99})
	if err != nil {
		t.Fatal(err)
	}
	allNil("n = 2", r)
	r, err = LocalMoran(ctx, []float64{0.1, 0.1, 0.1, 0.1}, [][]int{{1}, {0, 2}, {1, 3}, {2}}, MoranParams{Permutations: 99})
	if err != nil {
		t.Fatal(err)
	}
	allNil("all equal", r)
	r, err = LocalMoran(ctx, nil, nil, MoranParams{})
	if err != nil || r.N != 0 {
		t.Fatalf("empty input: %v %+v", err, r)
	}

	// Unit 3 has no neighbour; unit 4 sits at the mean; unit 0 neighbours
	// every other unit.
	x := []float64{1, 5, 2, 9, 4.25}
	nb := [][]int{{1, 2, 3, 4}, {0, 2}, {0, 1}, {}, {0}}
	r, err = LocalMoran(ctx, x, nb, MoranParams{Permutations: 99})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Local[3]; l.I != nil || l.PSim != nil || l.Quadrant != "" || l.Neighbors != 0 {
		t.Errorf("isolated unit: %+v", l)
	}
	if l := r.Local[4]; *l.I != 0 || *l.PSim != 1 || l.ZSim != nil || *l.VISim != 0 {
		t.Errorf("unit at the mean: %+v", l)
	}
	if l := r.Local[0]; *l.PSim != 1 || *l.EISim != *l.I || l.ZSim != nil {
		t.Errorf("unit neighbouring all others: %+v", l)
	}
	var sum float64
	for _, i := range []int{0, 1, 2, 4} {
		sum += *r.Local[i].I
	}
	if math.Abs(*r.GlobalI-sum/4) > 1e-15 {
		t.Errorf("global I %v, want the mean over units with neighbours %v", *r.GlobalI, sum/4)
	}
	r, err = LocalMoran(ctx, x, nb, MoranParams{})
	if err != nil || r.Local[1].I == nil || r.Local[1].PSim != nil || r.Local[1].EISim != nil {
		t.Errorf("no permutations: %v %+v", err, r.Local[1])
	}
}

func TestLocalMoranRejects(t *testing.T) {
	ctx := context.Background()
	nb3 := [][]int{{1}, {0, 2}, {1}}
	cells, x := h3Disk(t, 2)
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"lengths", func() error { _, err := LocalMoran(ctx, []float64{1, 2}, nb3, MoranParams{}); return err }},
		{"NaN", func() error { _, err := LocalMoran(ctx, []float64{1, math.NaN(), 2}, nb3, MoranParams{}); return err }},
		{"Inf", func() error { _, err := LocalMoran(ctx, []float64{1, math.Inf(-1), 2}, nb3, MoranParams{}); return err }},
		{"huge", func() error { _, err := LocalMoran(ctx, []float64{1, 1e200, 2}, nb3, MoranParams{}); return err }},
		{"self", func() error {
			_, err := LocalMoran(ctx, []float64{1, 2, 3}, [][]int{{0}, {}, {}}, MoranParams{})
			return err
		}},
		{"repeated", func() error {
			_, err := LocalMoran(ctx, []float64{1, 2, 3}, [][]int{{1, 1}, {}, {}}, MoranParams{})
			return err
		}},
		{"range", func() error {
			_, err := LocalMoran(ctx, []float64{1, 2, 3}, [][]int{{3}, {}, {}}, MoranParams{})
			return err
		}},
		{"negative", func() error {
			_, err := LocalMoran(ctx, []float64{1, 2, 3}, [][]int{{-1}, {}, {}}, MoranParams{})
			return err
		}},
		{"permutations<0", func() error {
			_, err := LocalMoran(ctx, []float64{1, 2, 3}, nb3, MoranParams{Permutations: -1})
			return err
		}},
		{"permutations>max", func() error {
			_, err := LocalMoran(ctx, []float64{1, 2, 3}, nb3, MoranParams{Permutations: MaxPermutations + 1})
			return err
		}},
		{"k=0", func() error { _, err := LocalMoranCells(ctx, cells, x, 0, MoranParams{}); return err }},
		{"k>max", func() error { _, err := LocalMoranCells(ctx, cells, x, MaxK+1, MoranParams{}); return err }},
		{"cell lengths", func() error { _, err := LocalMoranCells(ctx, cells, x[1:], 1, MoranParams{}); return err }},
		{"invalid cell", func() error {
			_, err := LocalMoranCells(ctx, append([]uint64{12345}, cells[1:]...), x, 1, MoranParams{})
			return err
		}},
		{"cell twice", func() error {
			_, err := LocalMoranCells(ctx, append([]uint64{cells[1]}, cells[1:]...), x, 1, MoranParams{})
			return err
		}},
		{"mixed resolutions", func() error {
			c := append([]uint64{}, cells...)
			c[0] = uint64(h3.Cell(c[0]).Parent(7))
			_, err := LocalMoranCells(ctx, c, x, 1, MoranParams{})
			return err
		}},
		{"too much work", func() error {
			many := make([]uint64, 200_000)
			_, err := LocalMoranCells(ctx, many, make([]float64, len(many)), 1, MoranParams{Permutations: 999})
			return err
		}},
		{"too many pairs", func() error {
			many := make([]uint64, 200_000)
			_, err := LocalMoranCells(ctx, many, make([]float64, len(many)), 10, MoranParams{})
			return err
		}},
		{"buffer k", func() error { _, err := BufferedCells(cells, MaxK+1); return err }},
		{"buffer cell", func() error { _, err := BufferedCells([]uint64{1}, 1); return err }},
	} {
		if err := tc.run(); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tc.name, err)
		}
	}
}

func TestBufferedCells(t *testing.T) {
	origin := h3.LatLngToCell(h3.NewLatLng(41.0, 29.0), 7)
	far := h3.LatLngToCell(h3.NewLatLng(41.5, 29.5), 7)
	got, err := BufferedCells([]uint64{uint64(far), uint64(origin), uint64(origin)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 38 {
		t.Fatalf("two disjoint disks of radius 2: %d cells, want 38", len(got))
	}
	for i, c := range got {
		d1 := h3.GridDistance(h3.Cell(c), origin)
		d2 := h3.GridDistance(h3.Cell(c), far)
		if min(d1, d2) > 2 || (i > 0 && got[i-1] >= c) {
			t.Fatalf("cell %d (%x) at distance %d/%d, or out of order", i, c, d1, d2)
		}
	}
	if got, _ := BufferedCells([]uint64{uint64(origin)}, 0); len(got) != 1 {
		t.Errorf("k = 0: %d cells", len(got))
	}
}

func TestLocalMoranCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cells, x := h3Disk(t, 5)
	if _, err := LocalMoranCells(ctx, cells, x, 1, MoranParams{Permutations: 99}); err == nil {
		t.Error("a cancelled context should stop the computation")
	}
}
