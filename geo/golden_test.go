package geo

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"slices"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// goldenRuns are seeded synthetic runs whose result hashes pin every number
// of the analysis bit for bit: a change that alters one alters the output and
// must say why.
//
// History: the hashes changed on purpose twice: when the dominance rule of
// disclosure control was restricted to firms with exact head counts (only the
// Suppressed flags changed), and when clusters became the specialised value
// chains of the specialisation test instead of Gi* footprints (the cell
// statistics stayed identical; the clusters, the regions' new undated counts
// and the run's parameters changed).
var goldenRuns = []struct {
	name  string
	n     int
	seed  uint64
	tweak func(*Params)
	want  string
}{
	{"default-20k", 20_000, 7, func(*Params) {}, "378cb6df31e9d149"},
	{"uscmp-employment-k2-3k", 3_000, 11, func(p *Params) {
		p.LQConvention = ConventionUSCMP
		p.LQMeasure = MeasureEmployment
		p.Benchmark = "province:P44"
		p.K = 2
		p.FDR = false
		p.GiLevels = []string{LevelAll, LevelSection, LevelDivision, LevelGroup, LevelClass, LevelChain}
		p.GiMaxRes = 9
	}, "376681583889c335"},
}

// resultHash hashes everything of a result except the run's timestamps:
// cells (all fields, floats by their bits), clusters (with geometry and
// profile), region statistics and the run's params.
func resultHash(r *kume.AnalysisResult) string {
	h := fnv.New64a()
	var b [8]byte
	u := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	f := func(v float64) { u(math.Float64bits(v)) }
	pf := func(p *float64) {
		if p == nil {
			u(1)
			return
		}
		u(2)
		f(*p)
	}
	s := func(v string) {
		u(uint64(len(v)))
		h.Write([]byte(v))
	}
	u(uint64(len(r.Cells)))
	for i := range r.Cells {
		c := &r.Cells[i]
		u(uint64(c.Res))
		u(c.Cell)
		s(c.Sector)
		u(uint64(c.Firms))
		u(uint64(c.Closed))
		f(c.Employees)
		f(c.EmployeesEstimated)
		u(uint64(c.Imprecise))
		pf(c.LQ)
		pf(c.GiZ)
		pf(c.GiP)
		u(uint64(c.GiBin))
		if c.Suppressed {
			u(1)
		} else {
			u(0)
		}
		hashInstitutions(h, c.Institutions)
	}
	u(uint64(len(r.Clusters)))
	for i := range r.Clusters {
		c := r.Clusters[i]
		g := c.Geometry
		c.Geometry = nil
		raw, err := json.Marshal(c)
		if err != nil {
			panic(err)
		}
		h.Write(raw)
		hashGeometry(h, g)
	}
	raw, err := json.Marshal(r.Regions)
	if err != nil {
		panic(err)
	}
	h.Write(raw)
	h.Write(r.Run.Params)
	return fmt.Sprintf("%016x", h.Sum64())
}

func hashInstitutions(h hash.Hash, m map[kume.InstitutionType]int) {
	if m == nil {
		h.Write([]byte{0})
		return
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, string(k))
	}
	slices.Sort(ks)
	h.Write([]byte{1})
	for _, k := range ks {
		fmt.Fprintf(h, "%s=%d;", k, m[kume.InstitutionType(k)])
	}
}

func hashGeometry(h hash.Hash, g orb.MultiPolygon) {
	var b [8]byte
	for _, poly := range g {
		h.Write([]byte{'P'})
		for _, ring := range poly {
			h.Write([]byte{'R'})
			for _, pt := range ring {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(pt[0]))
				h.Write(b[:])
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(pt[1]))
				h.Write(b[:])
			}
		}
	}
}

// TestGoldenSynthetic pins the numbers of seeded synthetic runs so that
// performance work provably leaves the output unchanged.
func TestGoldenSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, g := range goldenRuns {
		t.Run(g.name, func(t *testing.T) {
			s := newSynth(g.n, g.seed)
			p := DefaultParams()
			g.tweak(&p)
			r, err := Analyze(context.Background(), s.input(), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkFinite(t, r)
			if len(r.Cells) == 0 || len(r.Clusters) == 0 || len(r.Regions) == 0 {
				t.Fatalf("degenerate run: %d cells, %d clusters, %d regions", len(r.Cells), len(r.Clusters), len(r.Regions))
			}
			// A second run must give the same result (determinism under
			// parallelism), also when the cell lists are built in many batches.
			var c collector
			r2, err := analyze(context.Background(), s.input(), p, nil, &c, budget{lists: 1000, rows: 5000})
			if err == nil {
				r2.Cells = c.cells
			}
			if err != nil {
				t.Fatal(err)
			}
			got, got2 := resultHash(r), resultHash(r2)
			if got != got2 {
				t.Fatalf("two runs differ: %s vs %s", got, got2)
			}
			if got != g.want {
				t.Errorf("result hash %s, want %s (%d cells, %d clusters, %d regions)", got, g.want, len(r.Cells), len(r.Clusters), len(r.Regions))
			}
		})
	}
}
