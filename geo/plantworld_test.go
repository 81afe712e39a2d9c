package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
	"github.com/paulmach/orb"
)

// A planted world is a SYNTHETIC country, generated from a seed, where the
// right clusters are known by construction. Every city has the same sector
// mix (so that density alone marks every city centre), a few mid-size cities
// hold one planted specialised value chain each, with its suppliers,
// services, distributors and supporting institutions, and some cities hold a
// mixed-sector industrial zone (an OSB with a technology park and firms of
// many unrelated sectors), which the source definition says is no cluster.
// Seeds vary the world: odd seeds give every planted cluster an OSB among
// its institutions and leave the zones without their site institutions,
// with firms of the national mix; seeds divisible by 3 plant one chain in a
// large city; seeds divisible by 4 build the zones of eight sectors.
// Nothing in it is real data.

// plantedCluster is one planted specialised value chain (or, with no chain,
// one NACE division).
type plantedCluster struct {
	chain    string   // value chain id, "" for a division
	division string   // NACE division when chain is ""
	core     []string // NACE classes of the chain's core (or the division)
	city     int
	centre   orb.Point
	sigmaKm  float64
	firms    int
}

// plantedZone is one mixed-sector industrial zone.
type plantedZone struct {
	city   int
	centre orb.Point
	firms  int
}

type plantCity struct {
	name    string
	centre  orb.Point
	firms   int
	sigmaKm float64
}

// plantWorld is a generated country.
type plantWorld struct {
	cities   []plantCity
	clusters []plantedCluster
	zones    []plantedZone
	es       []kume.Establishment
	regions  []kume.Region
}

// divisionMix is the national sector mix of every city: NACE divisions
// with weights like a business register's (retail, trade, construction,
// restaurants and services most common, manufacturing spread thin).
func divisionMix() ([]string, []float64) {
	mix := []struct {
		div string
		w   float64
	}{
		{"47", 17}, {"46", 9}, {"56", 7}, {"43", 6}, {"45", 4}, {"96", 4}, {"41", 3}, {"68", 3},
		{"69", 3}, {"49", 4}, {"62", 1.5}, {"70", 1.5}, {"71", 2}, {"73", 1}, {"74", 1}, {"86", 2},
		{"85", 1.5}, {"55", 1}, {"01", 3}, {"10", 1.2}, {"11", 0.2}, {"13", 0.6}, {"14", 0.8},
		{"15", 0.3}, {"16", 0.5}, {"17", 0.2}, {"18", 0.4}, {"20", 0.3}, {"21", 0.05}, {"22", 0.5},
		{"23", 0.5}, {"24", 0.2}, {"25", 1.2}, {"26", 0.2}, {"27", 0.3}, {"28", 0.6}, {"29", 0.2},
		{"30", 0.1}, {"31", 0.5}, {"32", 0.3}, {"33", 0.5}, {"52", 1}, {"53", 0.3}, {"58", 0.3},
		{"59", 0.3}, {"61", 0.2}, {"63", 0.3}, {"64", 0.5}, {"66", 0.5}, {"77", 0.5}, {"78", 0.3},
		{"79", 0.4}, {"81", 1}, {"82", 1}, {"93", 0.8}, {"94", 0.8}, {"95", 0.8}, {"35", 0.1}, {"38", 0.3},
	}
	divs := make([]string, len(mix))
	cum := make([]float64, len(mix))
	t := 0.0
	for i, m := range mix {
		t += m.w
		divs[i], cum[i] = m.div, t
	}
	return divs, cum
}

// plantGen draws the firms of a planted world.
type plantGen struct {
	r       *rand.Rand
	tax     *nace.Taxonomy
	divs    []string
	cum     []float64
	classes map[string][]string
	w       *plantWorld
	n       int
}

func (g *plantGen) classOf(div string) string {
	cs := g.classes[div]
	if cs == nil {
		for _, grp := range g.tax.Children(div) {
			for _, c := range g.tax.Children(grp.Code) {
				cs = append(cs, c.Code)
			}
		}
		g.classes[div] = cs
	}
	return cs[g.r.IntN(len(cs))]
}

func (g *plantGen) mixClass() string {
	x := g.r.Float64() * g.cum[len(g.cum)-1]
	i, _ := slices.BinarySearch(g.cum, x)
	return g.classOf(g.divs[min(i, len(g.divs)-1)])
}

// near returns a point drawn from a normal distribution around c.
func (g *plantGen) near(c orb.Point, sigmaKm float64) orb.Point {
	dLat := g.r.NormFloat64() * sigmaKm / 111
	dLon := g.r.NormFloat64() * sigmaKm / (111 * math.Cos(c[1]*math.Pi/180))
	return orb.Point{c[0] + dLon, c[1] + dLat}
}

func (g *plantGen) firm(pt orb.Point, code string) {
	g.n++
	emp := 1 + int(math.Exp(g.r.NormFloat64()*1.2+1))
	g.w.es = append(g.w.es, kume.Establishment{SourceID: fmt.Sprintf("synth-%d", g.n), Kind: kume.KindFirm, NACE: code,
		Name: "Synthetic firm", Lon: pt[0], Lat: pt[1], Precision: kume.PrecisionAddress, Employees: kume.ExactEmployees(emp)})
}

func (g *plantGen) institution(pt orb.Point, t kume.InstitutionType) {
	g.n++
	g.w.es = append(g.w.es, kume.Establishment{SourceID: fmt.Sprintf("synth-inst-%d", g.n), Kind: kume.KindInstitution, Type: t,
		Name: "Synthetic " + string(t), Lon: pt[0], Lat: pt[1], Precision: kume.PrecisionAddress})
}

// newPlantWorld generates a world of about scale·100,000 firms.
func newPlantWorld(tax *nace.Taxonomy, chains []kume.ValueChain, seed uint64, scale float64) *plantWorld {
	g := &plantGen{r: rand.New(rand.NewPCG(seed, 0x5eed)), tax: tax, classes: map[string][]string{}, w: &plantWorld{}}
	g.divs, g.cum = divisionMix()
	w := g.w
	// Cities: 4 large, 12 mid-size, 14 small, on a grid with jitter so that
	// none overlap.
	sizes := []int{}
	for range 4 {
		sizes = append(sizes, int(scale*(12000+g.r.Float64()*10000)))
	}
	for range 12 {
		sizes = append(sizes, int(scale*(2500+g.r.Float64()*3000)))
	}
	for range 14 {
		sizes = append(sizes, int(scale*(400+g.r.Float64()*1200)))
	}
	g.r.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	for i, n := range sizes {
		cx := 27.5 + float64(i%6)*2.6 + (g.r.Float64()-0.5)*0.8
		cy := 37.0 + float64(i/6)*1.1 + (g.r.Float64()-0.5)*0.3
		sigma := 1.5 + math.Sqrt(float64(n))/25
		w.cities = append(w.cities, plantCity{name: fmt.Sprintf("Synthetic city %02d", i+1), centre: orb.Point{cx, cy}, firms: n, sigmaKm: sigma})
		half := 0.5
		w.regions = append(w.regions, kume.Region{Level: "province", Code: fmt.Sprintf("S%02d", i+1), Name: w.cities[i].name,
			Geometry: orb.MultiPolygon{{{{cx - 1.3, cy - half}, {cx + 1.3, cy - half}, {cx + 1.3, cy + half}, {cx - 1.3, cy + half}, {cx - 1.3, cy - half}}}}})
	}
	// Uniform-mix firms: every city, the same mix; a tenth of them in a
	// sub-centre.
	for _, c := range w.cities {
		sub := g.near(c.centre, c.sigmaKm*1.5)
		for k := 0; k < c.firms; k++ {
			at, s := c.centre, c.sigmaKm
			if k%10 == 0 {
				at, s = sub, c.sigmaKm/3
			}
			g.firm(g.near(at, s), g.mixClass())
		}
	}
	// Rural background: 4 % more, spread over the country.
	total := len(w.es)
	for k := 0; k < total/25; k++ {
		g.firm(orb.Point{27 + g.r.Float64()*15.5, 36.5 + g.r.Float64()*5}, g.mixClass())
	}
	// Mid-size cities by size: the first five get the planted chains, the
	// sixth a planted division, the next two and the two largest cities a
	// mixed-sector industrial zone.
	order := make([]int, len(w.cities))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return w.cities[b].firms - w.cities[a].firms })
	mids := order[4:16]
	byID := map[string]kume.ValueChain{}
	for _, vc := range chains {
		byID[vc.ID] = vc
	}
	planted := []string{"textiles", "automotive", "furniture", "ict", "food"}
	for i, id := range append(planted, "") {
		ci := mids[i]
		if i == 0 && seed%3 == 0 {
			ci = order[2] // one planted chain in a large city
		}
		c := w.cities[ci]
		pc := plantedCluster{chain: id, city: ci, centre: g.near(c.centre, 1.5), sigmaKm: 1 + g.r.Float64()*3,
			firms: int(scale * (60 + g.r.Float64()*100))}
		var others []string
		if id == "" {
			pc.division = "30"
			pc.core = expand(tax, []string{"30"})
		} else {
			vc := byID[id]
			pc.core = expand(tax, vc.Roles[kume.RoleCore])
			for _, r := range []kume.Role{kume.RoleSupplier, kume.RoleService, kume.RoleDistribution} {
				others = append(others, expand(tax, vc.Roles[r])...)
			}
		}
		for k := 0; k < pc.firms; k++ {
			g.firm(g.near(pc.centre, pc.sigmaKm), pc.core[g.r.IntN(len(pc.core))])
		}
		for k := 0; k < len(others) && k < pc.firms*2/5; k++ {
			g.firm(g.near(pc.centre, pc.sigmaKm*1.3), others[g.r.IntN(len(others))])
		}
		for _, t := range []kume.InstitutionType{kume.University, kume.VocationalSchool, kume.Chamber, kume.Bank, kume.PublicAgency} {
			g.institution(g.near(pc.centre, 3), t)
		}
		if seed%2 == 1 {
			g.institution(g.near(pc.centre, 1), kume.OSB) // a site can be part of a cluster
		}
		w.clusters = append(w.clusters, pc)
	}
	// Mixed-sector industrial zones: an OSB and a technology park holding
	// firms of every manufacturing division and of wholesale, transport and
	// software, none of them dominant.
	var zoneDivs []string
	for d := 10; d <= 33; d++ {
		zoneDivs = append(zoneDivs, fmt.Sprintf("%02d", d))
	}
	zoneDivs = append(zoneDivs, "46", "49", "52", "62", "71")
	if seed%4 == 0 {
		zoneDivs = []string{"10", "20", "22", "25", "28", "29", "46", "49"} // fewer, larger sectors
	}
	for i, ci := range []int{order[0], order[1], mids[6], mids[7]} {
		c := w.cities[ci]
		z := plantedZone{city: ci, centre: g.near(c.centre, c.sigmaKm), firms: int(scale * float64([]int{60, 1000, 250, 600}[i]))}
		// Odd seeds: zones without their site institutions, firms drawn
		// from the national mix; even seeds: with the sites, firms spread
		// evenly over the zone's divisions.
		if seed%2 == 0 {
			g.institution(z.centre, kume.OSB)
			g.institution(g.near(z.centre, 0.5), kume.Technopark)
		}
		for k := 0; k < z.firms; k++ {
			code := g.mixClass()
			if seed%2 == 0 {
				code = g.classOf(zoneDivs[g.r.IntN(len(zoneDivs))])
			}
			g.firm(g.near(z.centre, 0.8), code)
		}
		w.zones = append(w.zones, z)
	}
	return w
}

// expand turns NACE codes of any level into the classes under them.
func expand(tax *nace.Taxonomy, codes []string) []string {
	var out []string
	var walk func(code string)
	walk = func(code string) {
		s, ok := tax.Lookup(code)
		if !ok {
			return
		}
		if s.Level == nace.Class {
			out = append(out, s.Code)
			return
		}
		for _, k := range tax.Children(s.Code) {
			walk(k.Code)
		}
	}
	for _, c := range codes {
		walk(c)
	}
	return out
}
