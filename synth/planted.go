package synth

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kume-geo/kume/geo"
)

// PlantedShare is the share of rows that belong to the planted patterns
// when Config.Patterns is set.
const PlantedShare = 0.04

// PlantedFrom and PlantedTo are the first and last year of the span over
// which the planted patterns unfold (yearly steps, active at each year's
// end).
const (
	PlantedFrom = 2015
	PlantedTo   = 2024
)

// PlantedPattern is a space-time pattern planted in the generated data at a
// known place: firms of one NACE class (which no other generated firm has)
// founded and closed so that, analysed alone with yearly steps from
// PlantedFrom to PlantedTo, the place shows Category. Everything about it
// is made up.
type PlantedPattern struct {
	Name     string       `json:"name"`
	Category geo.Category `json:"category"`
	NACE     string       `json:"nace"`
	Province string       `json:"province"`
	Lat      float64      `json:"lat"`
	Lon      float64      `json:"lon"`
	// CoreKm is the radius of the disc around the place that holds the
	// pattern; OuterKm, when larger, that of a ring of steady firms around
	// it (the surroundings the core is compared with).
	CoreKm  float64 `json:"core_km"`
	OuterKm float64 `json:"outer_km"`
	weight  float64
	cohorts []cohort
}

// cohort is a group of a pattern's firms: where they are (the core disc,
// the outer ring, or scattered over the country like the other firms), the
// years they were founded in and, when closed, the years they closed in
// (uniform over the days of the years).
type cohort struct {
	weight         float64
	ring, scatter  bool
	founded, close [2]int // close {0, 0}: never closed
}

// PlantedPatterns lists the planted patterns. Their NACE classes are those
// of electronics manufacturing (division 26), chosen only to be unused by
// the rest of the generated data. The new, intensifying and diminishing
// hot spots stand out from firms of their class scattered over the country
// (present throughout); the oscillating one is a core inside a ring of
// steady firms, empty in the first years (a cold spot), then filling up.
func PlantedPatterns() []PlantedPattern {
	scattered := cohort{weight: 0.3, scatter: true, founded: [2]int{2000, 2014}}
	return []PlantedPattern{
		{Name: "new", Category: geo.NewHotSpot, NACE: "26.11", Province: "Aksaray", Lat: 38.37, Lon: 34.03, CoreKm: 3,
			weight: 1, cohorts: []cohort{scattered, {weight: 0.7, founded: [2]int{2024, 2024}}}},
		{Name: "intensifying", Category: geo.IntensifyingHotSpot, NACE: "26.12", Province: "Kırşehir", Lat: 39.15, Lon: 34.16, CoreKm: 3,
			weight: 1, cohorts: []cohort{scattered,
				{weight: 0.2, founded: [2]int{2005, 2014}},
				{weight: 0.5, founded: [2]int{2015, 2024}}}},
		{Name: "diminishing", Category: geo.DiminishingHotSpot, NACE: "26.20", Province: "Karaman", Lat: 37.18, Lon: 33.22, CoreKm: 3,
			weight: 1, cohorts: []cohort{scattered,
				{weight: 0.25, founded: [2]int{2000, 2014}},
				{weight: 0.45, founded: [2]int{2000, 2014}, close: [2]int{2015, 2024}}}},
		{Name: "oscillating", Category: geo.OscillatingHotSpot, NACE: "26.30", Province: "Nevşehir", Lat: 38.62, Lon: 34.71, CoreKm: 10, OuterKm: 30,
			weight: 3, cohorts: []cohort{
				{weight: 0.7, ring: true, founded: [2]int{2000, 2014}},
				{weight: 0.1, founded: [2]int{2018, 2019}},
				{weight: 0.2, founded: [2]int{2024, 2024}}}},
	}
}

// plantedClasses lists the NACE classes of the planted patterns.
func plantedClasses() []string {
	var out []string
	for _, p := range PlantedPatterns() {
		out = append(out, p.NACE)
	}
	return out
}

// withoutPlanted removes the planted classes from the classes the other
// firms are drawn from.
func withoutPlanted(divs []division) {
	for i := range divs {
		divs[i].classes = slices.DeleteFunc(slices.Clone(divs[i].classes), func(c string) bool {
			return slices.Contains(plantedClasses(), c)
		})
	}
}

// plant fills f with a firm of a planted pattern.
func (g *Generator) plant(f *Firm) {
	ps := PlantedPatterns()
	var total float64
	for _, p := range ps {
		total += p.weight
	}
	u := g.rng.Float64() * total
	p := &ps[len(ps)-1]
	for i := range ps {
		if u < ps[i].weight {
			p = &ps[i]
			break
		}
		u -= ps[i].weight
	}
	u = g.rng.Float64()
	c := &p.cohorts[len(p.cohorts)-1]
	for i := range p.cohorts {
		if u < p.cohorts[i].weight {
			c = &p.cohorts[i]
			break
		}
		u -= p.cohorts[i].weight
	}
	if c.scatter {
		g.scatter(f, p, c)
		return
	}
	// Uniform over the core disc, or over the ring between it and OuterKm.
	r := p.CoreKm * math.Sqrt(g.rng.Float64())
	if c.ring {
		r = math.Sqrt(p.CoreKm*p.CoreKm + g.rng.Float64()*(p.OuterKm*p.OuterKm-p.CoreKm*p.CoreKm))
	}
	a := 2 * math.Pi * g.rng.Float64()
	const kmPerDeg = 111.32
	*f = Firm{
		ID:       fmt.Sprintf("synth-%08d", g.n),
		Name:     fmt.Sprintf("Synthetic %s %s Ltd. #%d (planted: %s)", p.Province, sectorWord("26"), g.n, p.Category),
		NACE:     p.NACE,
		Lat:      round6(p.Lat + r*math.Sin(a)/kmPerDeg),
		Lon:      round6(p.Lon + r*math.Cos(a)/(kmPerDeg*math.Cos(p.Lat*math.Pi/180))),
		Province: p.Province,
		Country:  "TR",
	}
	g.datePlanted(f, c)
}

// scatter places f like any other generated firm, in a province drawn by
// population, with the pattern's class and the cohort's dates.
func (g *Generator) scatter(f *Firm, p *PlantedPattern, c *cohort) {
	pl := &g.places[g.pick(g.placeCum)]
	*f = Firm{
		ID:       fmt.Sprintf("synth-%08d", g.n),
		Name:     fmt.Sprintf("Synthetic %s %s Ltd. #%d", pl.name, sectorWord("26"), g.n),
		NACE:     p.NACE,
		Province: pl.name,
		Country:  "TR",
	}
	g.place(pl, f, true)
	g.datePlanted(f, c)
}

// datePlanted gives f an employee count and the cohort's dates.
func (g *Generator) datePlanted(f *Firm, c *cohort) {
	f.Employees = g.employees("26")
	founded := g.dayIn(c.founded)
	f.Founded = founded.Format(time.DateOnly)
	if c.close[0] != 0 {
		closed := g.dayIn(c.close)
		if !closed.After(founded) {
			closed = founded.AddDate(0, 0, 1)
		}
		f.Closed = closed.Format(time.DateOnly)
	}
}

// dayIn draws a day of the years span[0]..span[1], not after the reference
// date.
func (g *Generator) dayIn(span [2]int) time.Time {
	first := time.Date(span[0], 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(span[1], 12, 31, 0, 0, 0, 0, time.UTC)
	if ref := referenceDate(); last.After(ref) {
		last = ref
	}
	days := int(last.Sub(first).Hours()/24) + 1
	return first.AddDate(0, 0, g.rng.IntN(days))
}
