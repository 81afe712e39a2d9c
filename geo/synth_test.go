package geo

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// This file holds a SYNTHETIC data generator for tests and benchmarks. The
// firms it produces are invented: dense city centres with Gaussian spread,
// each city specialised in a few NACE divisions, about 80 divisions in all.
// None of it describes real establishments.

type synthCity struct {
	lon, lat, sd float64 // centre and spread in degrees
	weight       float64
	special      []int // favoured division indices
}

type synth struct {
	n         int
	seed      uint64
	cities    []synthCity
	divisions []string
	codes     []string // per division: its six class codes, built once
	ref       time.Time
}

// synthDivisions returns about 80 two-digit NACE divisions.
func synthDivisions() []string {
	var out []string
	for d := 1; d <= 99 && len(out) < 80; d++ {
		if d == 4 || d == 34 || d == 40 || d == 44 || d == 48 || d == 54 || d == 57 || d == 67 || d == 76 || d == 83 || d == 89 || d == 98 {
			continue
		}
		out = append(out, fmt.Sprintf("%02d", d))
	}
	return out
}

// synthSection maps a division to its NACE Rev.2 section letter.
func synthSection(div int) string {
	bounds := []struct {
		hi  int
		sec string
	}{{3, "A"}, {9, "B"}, {33, "C"}, {35, "D"}, {39, "E"}, {43, "F"}, {47, "G"}, {53, "H"}, {56, "I"}, {63, "J"}, {66, "K"}, {68, "L"}, {75, "M"}, {82, "N"}, {84, "O"}, {85, "P"}, {88, "Q"}, {93, "R"}, {96, "S"}, {98, "T"}, {99, "U"}}
	for _, b := range bounds {
		if div <= b.hi {
			return b.sec
		}
	}
	return "U"
}

// synthAncestors is the NACE roll-up of the synthetic codes.
func synthAncestors(code string) []string {
	anc := defaultAncestors(code)
	var div int
	fmt.Sscanf(code[:2], "%d", &div)
	return append(anc, synthSection(div))
}

// synthChains puts divisions 13–15 in a textiles chain and 10–11 in a food
// chain, with suppliers and services.
func synthChains(nace string) []ChainRole {
	switch nace[:2] {
	case "13":
		return []ChainRole{{"textiles", kume.RoleSupplier}}
	case "14", "15":
		return []ChainRole{{"textiles", kume.RoleCore}}
	case "46":
		return []ChainRole{{"textiles", kume.RoleDistribution}, {"food", kume.RoleDistribution}}
	case "10", "11":
		return []ChainRole{{"food", kume.RoleCore}}
	case "01":
		return []ChainRole{{"food", kume.RoleSupplier}}
	}
	return nil
}

func newSynth(n int, seed uint64) *synth {
	r := rand.New(rand.NewPCG(seed, 1))
	s := &synth{n: n, seed: seed, divisions: synthDivisions(), ref: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, d := range s.divisions {
		for g := 1; g <= 3; g++ {
			for c := 1; c <= 2; c++ {
				s.codes = append(s.codes, fmt.Sprintf("%s.%d%d", d, g, c))
			}
		}
	}
	for i := 0; i < 25; i++ {
		c := synthCity{
			lon: 26 + r.Float64()*18, lat: 36.5 + r.Float64()*5,
			sd: 0.02 + r.Float64()*0.08, weight: math.Pow(r.Float64(), 2) + 0.05,
		}
		for j := 0; j < 3; j++ {
			c.special = append(c.special, r.IntN(len(s.divisions)))
		}
		s.cities = append(s.cities, c)
	}
	return s
}

// regions returns a 9×9 grid of synthetic "province" rectangles over the area.
func (s *synth) regions() []kume.Region {
	var out []kume.Region
	for i := 0; i < 9; i++ {
		for j := 0; j < 9; j++ {
			x0, y0 := 25.5+float64(i)*2.1, 36+float64(j)*0.7
			ring := orb.Ring{{x0, y0}, {x0 + 2.1, y0}, {x0 + 2.1, y0 + 0.7}, {x0, y0 + 0.7}, {x0, y0}}
			out = append(out, kume.Region{Code: fmt.Sprintf("P%d%d", i, j), Name: fmt.Sprintf("Province %d-%d", i, j),
				Level: "province", Geometry: orb.MultiPolygon{{ring}}})
		}
	}
	return out
}

// records yields the synthetic establishments; the same pointer is reused.
func (s *synth) records() iter.Seq[*kume.Establishment] {
	return func(yield func(*kume.Establishment) bool) {
		r := rand.New(rand.NewPCG(s.seed, 2))
		var tw float64
		for _, c := range s.cities {
			tw += c.weight
		}
		var e kume.Establishment
		for i := 0; i < s.n; i++ {
			e = kume.Establishment{ID: int64(i + 1), Kind: kume.KindFirm, Precision: kume.PrecisionAddress}
			x := r.Float64() * tw
			ci := 0
			for ; ci < len(s.cities)-1 && x > s.cities[ci].weight; ci++ {
				x -= s.cities[ci].weight
			}
			c := &s.cities[ci]
			var div int
			if r.Float64() < 0.4 {
				div = c.special[r.IntN(len(c.special))]
			} else {
				div = r.IntN(len(s.divisions))
			}
			g := r.IntN(3)
			e.NACE = s.codes[div*6+g*2+r.IntN(2)] // "<division>.<1+g><1+c>"
			e.Lon = c.lon + r.NormFloat64()*c.sd
			e.Lat = c.lat + r.NormFloat64()*c.sd*0.8
			switch v := r.Float64(); {
			case v < 0.02:
				e.Precision = kume.PrecisionProvince
			case v < 0.05:
				e.Precision = kume.PrecisionDistrict
			}
			emp := int(math.Exp(r.NormFloat64()*1.3 + 1.5))
			if r.Float64() < 0.6 {
				e.Employees = kume.ExactEmployees(emp)
			} else {
				e.Employees = kume.EmployeeBand(emp/10*10, emp/10*10+9)
			}
			f := s.ref.AddDate(-r.IntN(30), -r.IntN(12), 0)
			e.Founded = &f
			if r.Float64() < 0.1 {
				cl := s.ref.AddDate(0, -r.IntN(120), 0)
				if cl.After(f) {
					e.Closed = &cl
				}
			}
			if i%500 == 0 {
				e.Kind = kume.KindInstitution
				types := kume.InstitutionTypes()
				e.Type = types[r.IntN(len(types))]
				e.NACE = ""
			}
			if !yield(&e) {
				return
			}
		}
	}
}

func (s *synth) input() Input {
	return Input{Establishments: s.records(), Regions: s.regions(), Ancestors: synthAncestors,
		ChainsOf: synthChains, RefDate: s.ref,
		Traded: func(nace string) bool { return nace[:2] < "40" }}
}
