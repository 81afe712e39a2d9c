package geo

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kume-geo/kume"
)

// TestInstitutionsUnloadedAreUnknown plants the textile knot (textileKnot)
// twice. With the institution register holding
// nothing within InstitutionCoverKm of it (only sites 200 km away), its
// institutions are unknown: the ecosystem leaves the institution-only kinds
// unassessed, the profile claims no missing university and says why. With one
// chamber 30 km away (beyond reach, within cover) the register covers it: the
// missing university is a weakness.
func TestInstitutionsUnloadedAreUnknown(t *testing.T) {
	knot := func(extra ...kume.Establishment) []kume.Establishment {
		es := textileKnot()
		for i := 0; i < 5; i++ {
			es = append(es, kume.Establishment{Kind: kume.KindInstitution, Type: kume.OSB, Lon: 27.5, Lat: 39.5, Precision: kume.PrecisionAddress})
		}
		return append(es, extra...)
	}
	cluster := func(es []kume.Establishment) (*kume.Cluster, Profile) {
		t.Helper()
		r := run(t, es, DefaultParams())
		if len(r.Clusters) != 1 {
			t.Fatalf("%d clusters, want the knot's 1", len(r.Clusters))
		}
		var pr Profile
		if err := json.Unmarshal(r.Clusters[0].Profile, &pr); err != nil {
			t.Fatal(err)
		}
		return &r.Clusters[0], pr
	}
	has := func(ss []Statement, metric string) bool {
		return slices.ContainsFunc(ss, func(s Statement) bool { return s.Metric == metric })
	}

	c, pr := cluster(knot())
	want := []string{"university", "research", "vocational_school", "public_agency", "chamber"}
	if e := c.Ecosystem; e == nil || !slices.Equal(e.Unassessed, want) || !slices.Equal(e.Missing, []string{"packaging", "bank"}) || e.Completeness != 0 {
		t.Errorf("uncovered: ecosystem %+v, want %v unassessed, packaging and bank missing", c.Ecosystem, want)
	}
	if has(pr.Weaknesses, "institutions.university") || has(pr.Weaknesses, "institutions.chamber") || !has(pr.Notes, "institutions") {
		t.Errorf("uncovered: weaknesses %+v, notes %+v: want no institution weakness and a note", pr.Weaknesses, pr.Notes)
	}

	chamber := kume.Establishment{Kind: kume.KindInstitution, Type: kume.Chamber, Lon: 29.36, Lat: 41.0, Precision: kume.PrecisionAddress}
	c, pr = cluster(knot(chamber))
	if e := c.Ecosystem; e == nil || len(e.Unassessed) != 0 || !slices.Contains(e.Missing, "university") || len(e.Missing) != 7 {
		t.Errorf("covered: ecosystem %+v, want every kind assessed and missing", c.Ecosystem)
	}
	if !has(pr.Weaknesses, "institutions.university") || has(pr.Notes, "institutions") {
		t.Errorf("covered: weaknesses %+v, notes %+v: want the missing university and no note", pr.Weaknesses, pr.Notes)
	}
}
