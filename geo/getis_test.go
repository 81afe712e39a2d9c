package geo

import (
	"math"
	"testing"
)

// TestGiStarPySAL reproduces the published PySAL esda reference
// (G_Local(y, w, transform='B', star=True)) with binary distance-band weights,
// threshold 15, self included.
func TestGiStarPySAL(t *testing.T) {
	pts := [][2]float64{{10, 10}, {20, 10}, {40, 10}, {15, 20}, {30, 20}, {30, 30}}
	y := []float64{2, 3, 3.2, 5, 8, 7}
	want := []float64{-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331}
	nb := make([][]int, len(pts))
	for i := range pts {
		for j := range pts {
			if math.Hypot(pts[i][0]-pts[j][0], pts[i][1]-pts[j][1]) <= 15 {
				nb[i] = append(nb[i], j)
			}
		}
	}
	got, err := GiStar(y, nb)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i].Z == nil {
			t.Fatalf("unit %d: z undefined", i)
		}
		if d := math.Abs(*got[i].Z - want[i]); d > 1e-6 {
			t.Errorf("unit %d: z = %.8f, want %.8f", i, *got[i].Z, want[i])
		}
		if p := TwoSidedP(want[i]); math.Abs(*got[i].P-p) > 1e-7 {
			t.Errorf("unit %d: p = %v, want %v", i, *got[i].P, p)
		}
	}
}

func TestGiStarUndefined(t *testing.T) {
	// zero variance
	r, err := GiStar([]float64{3, 3, 3}, [][]int{{0, 1}, {0, 1, 2}, {1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range r {
		if g.Z != nil || g.P != nil {
			t.Errorf("unit %d: want nil for zero variance", i)
		}
	}
	// one unit
	r, _ = GiStar([]float64{5}, [][]int{{0}})
	if r[0].Z != nil {
		t.Error("single unit: want nil")
	}
	// neighbourhood = whole area
	r, _ = GiStar([]float64{1, 2}, [][]int{{0, 1}, {0, 1}})
	if r[0].Z != nil {
		t.Error("full neighbourhood: want nil")
	}
	if _, err := GiStar([]float64{1, math.NaN()}, [][]int{{0}, {1}}); err == nil {
		t.Error("NaN value accepted")
	}
	if _, err := GiStar([]float64{1, 2}, [][]int{{0, 5}, {1}}); err == nil {
		t.Error("bad neighbour index accepted")
	}
	if _, err := GiStar([]float64{1, 2}, [][]int{{0}}); err == nil {
		t.Error("length mismatch accepted")
	}
}

// TestBHThreshold checks Benjamini–Hochberg against a hand computation:
// p sorted = .001 .008 .039 .041 .042 .06 .074 .205 (m = 8, q = .05);
// i·q/m = .00625 .0125 .01875 .025 .03125 .0375 .04375 .05;
// the largest i with p(i) ≤ i·q/m is i = 2 (.008 ≤ .0125), so the threshold is .008.
func TestBHThreshold(t *testing.T) {
	p := []float64{0.205, 0.039, 0.001, 0.074, 0.041, 0.008, 0.06, 0.042}
	th, ok := BHThreshold(p, 0.05)
	if !ok || th != 0.008 {
		t.Fatalf("threshold = %v %v, want 0.008", th, ok)
	}
	// at q = .10: i·q/m = .0125 .025 .0375 .05 .0625 .075 .0875 .1 → i = 7 (.074 ≤ .0875)
	if th, ok := BHThreshold(p, 0.10); !ok || th != 0.074 {
		t.Fatalf("q=.10 threshold = %v, want 0.074", th)
	}
	if _, ok := BHThreshold([]float64{0.5, 0.9}, 0.05); ok {
		t.Error("nothing should pass")
	}
	if _, ok := BHThreshold(nil, 0.05); ok {
		t.Error("empty input should pass nothing")
	}
}

func TestBins(t *testing.T) {
	raw := BinThresholds(nil, false)
	cases := []struct {
		z, p float64
		want int
	}{
		{2.7, TwoSidedP(2.7), 3}, {-2.7, TwoSidedP(2.7), -3}, {2.0, TwoSidedP(2.0), 2},
		{-1.7, TwoSidedP(1.7), -1}, {1.0, TwoSidedP(1.0), 0}, {math.NaN(), 0.01, 0},
	}
	for _, c := range cases {
		if got := Bin(c.z, c.p, raw); got != c.want {
			t.Errorf("Bin(%v, %v) = %d, want %d", c.z, c.p, got, c.want)
		}
	}
	// FDR shrinks: one p of 0.04 among many large ones is no longer significant.
	ps := []float64{0.04, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99}
	fdr := BinThresholds(ps, true)
	if b := Bin(2.05, 0.04, fdr); b != 0 {
		t.Errorf("FDR bin = %d, want 0", b)
	}
	if b := Bin(2.05, 0.04, raw); b != 2 {
		t.Errorf("raw bin = %d, want 2", b)
	}
}
