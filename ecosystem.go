package kume

import "strings"

// EcosystemKind is one kind of supporting actor that the cluster definition
// names: the institutions of a cluster are universities, think tanks,
// vocational schools, public agencies giving technical support, packaging
// producers and banks, and Türkiye's Cluster Support Programme adds a chamber.
// An actor of a kind is an institution of one of Types, or, for the kinds that
// are firms (packaging producers, banks), a firm whose NACE code falls under
// one of NACE.
type EcosystemKind struct {
	ID    string
	Types []InstitutionType
	NACE  []string
}

// EcosystemKinds lists the kinds of supporting actor in a stable order.
func EcosystemKinds() []EcosystemKind {
	return []EcosystemKind{
		{ID: "university", Types: []InstitutionType{University}},
		{ID: "research", Types: []InstitutionType{ThinkTank, ResearchInstitute}},
		{ID: "vocational_school", Types: []InstitutionType{VocationalSchool}},
		{ID: "public_agency", Types: []InstitutionType{PublicAgency, DevelopmentAgency}},
		// Packaging: corrugated paper, plastic, wooden, hollow glass and light
		// metal packaging.
		{ID: "packaging", Types: []InstitutionType{PackagingProducer}, NACE: []string{"17.21", "22.22", "16.24", "23.13", "25.92"}},
		// Banks: monetary intermediation.
		{ID: "bank", Types: []InstitutionType{Bank}, NACE: []string{"64.19"}},
		{ID: "chamber", Types: []InstitutionType{Chamber}},
	}
}

// EcosystemKindOfCode returns the index in EcosystemKinds of the firm kind a
// NACE code (normalised, "17.21") belongs to, or -1.
func EcosystemKindOfCode(code string) int {
	for i, k := range EcosystemKinds() {
		for _, p := range k.NACE {
			if rest, ok := strings.CutPrefix(code, p); ok && (rest == "" || rest[0] == '.') {
				return i
			}
		}
	}
	return -1
}

// NewEcosystem returns the ecosystem of actors counted by kind (indexes of
// EcosystemKinds). With institutions false the institution register holds
// none near the cluster: a kind without firms of its own (no NACE codes) and
// none counted is unassessed rather than missing.
func NewEcosystem(counts []int, institutions bool) *Ecosystem {
	kinds := EcosystemKinds()
	e := &Ecosystem{Present: []string{}, Missing: []string{}}
	for i, k := range kinds {
		switch {
		case i < len(counts) && counts[i] > 0:
			e.Present = append(e.Present, k.ID)
		case !institutions && len(k.NACE) == 0:
			e.Unassessed = append(e.Unassessed, k.ID)
		default:
			e.Missing = append(e.Missing, k.ID)
		}
	}
	if n := len(e.Present) + len(e.Missing); n > 0 {
		e.Completeness = float64(len(e.Present)) / float64(n)
	}
	return e
}
