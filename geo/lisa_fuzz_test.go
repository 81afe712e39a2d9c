package geo

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/kume-geo/kume"
)

// FuzzLocalMoran feeds arbitrary values (any float64 bit pattern),
// neighbour lists (indexes possibly out of range, repeated or equal to the
// unit) and permutation counts: the result is either an EINVALID error or
// numbers that are all finite, with p-values in [1/(P+1), 1].
func FuzzLocalMoran(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, []byte{1, 0, 2, 1}, int16(99), uint64(1))
	f.Add([]byte{0xff, 0xf8, 0, 0, 0, 0, 0, 1}, []byte{}, int16(-1), uint64(0))
	f.Add(make([]byte, 80), []byte{3, 3, 3}, int16(10000), uint64(7))
	f.Fuzz(func(t *testing.T, raw, links []byte, perms int16, seed uint64) {
		n := len(raw) / 8
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		nb := make([][]int, n)
		for i, b := range links {
			if n == 0 {
				break
			}
			u := i % n
			nb[u] = append(nb[u], int(b)-1) // -1 and ≥ n reach the range checks
		}
		r, err := LocalMoran(context.Background(), x, nb, MoranParams{Permutations: int(perms), Seed: seed})
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		check := func(name string, v *float64) {
			if v != nil && !finite(*v) {
				t.Fatalf("%s = %v", name, *v)
			}
		}
		check("global I", r.GlobalI)
		for _, l := range r.Local {
			check("I", l.I)
			check("lag", l.Lag)
			check("EI_sim", l.EISim)
			check("VI_sim", l.VISim)
			check("z_sim", l.ZSim)
			if l.PSim != nil && (*l.PSim < 1/float64(int(perms)+1) || *l.PSim > 1) {
				t.Fatalf("p_sim %v with %d permutations", *l.PSim, perms)
			}
			if (l.I == nil) != (l.Quadrant == "") {
				t.Fatalf("I %v with quadrant %q", l.I, l.Quadrant)
			}
		}
	})
}
