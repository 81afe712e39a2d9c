package geo

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
)

func TestStarsTable(t *testing.T) {
	lq := func(v float64) *float64 { return &v }
	// 10 regions: top 10% = 1 region.
	units := []StarInput{
		{Employment: 1000, LQ: lq(2.5), Focus: 0.05}, // size + spec = 2
		{Employment: 500, LQ: lq(1.2), Focus: 0.40},  // focus = 1
		{Employment: 100, LQ: lq(3.0), Focus: 0.10},  // spec = 1
		{Employment: 90, LQ: nil, Focus: 0.01},
		{Employment: 80, LQ: lq(0.5), Focus: 0.02},
		{Employment: 70, LQ: lq(0.5), Focus: 0.02},
		{Employment: 60, LQ: lq(0.5), Focus: 0.02},
		{Employment: 50, LQ: lq(0.5), Focus: 0.02},
		{Employment: 40, LQ: lq(0.5), Focus: 0.02},
		{Employment: 0, LQ: nil, Focus: 0},
	}
	want := []int{2, 1, 1, 0, 0, 0, 0, 0, 0, 0}
	got := Stars(units, DefaultParams().Stars)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("region %d: %d stars, want %d", i, got[i], want[i])
		}
	}
}

func TestStrongTable(t *testing.T) {
	lq := func(v float64) *float64 { return &v }
	// Among the 4 regions with employment: LQs 0.8 1.5 2.0 3.0 → P75 = 2.25;
	// employment 10 20 30 40 → P25 = 17.5; establishments 1 2 3 4 → P25 = 1.75.
	units := []StrongInput{
		{Employment: 10, Establishments: 1, LQ: lq(3.0)}, // LQ ok but employment too small
		{Employment: 20, Establishments: 2, LQ: lq(0.8)},
		{Employment: 30, Establishments: 3, LQ: lq(1.5)},
		{Employment: 40, Establishments: 4, LQ: lq(2.0)},
		{Employment: 0, Establishments: 0, LQ: nil},
	}
	if p := Percentile([]float64{0.8, 1.5, 2.0, 3.0}, 75); math.Abs(p-2.25) > 1e-12 {
		t.Fatalf("P75 = %v", p)
	}
	got := Strong(units)
	for i, w := range []bool{false, false, false, false, false} {
		if got[i] != w {
			t.Errorf("region %d strong = %v", i, got[i])
		}
	}
	units[3].LQ = lq(4) // LQs 0.8 1.5 3 4 → P75 = 3.25
	if !Strong(units)[3] {
		t.Error("region 3 with LQ 4 should be strong")
	}
}

func TestRank(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	units := []RankUnit{
		{ID: "a", Values: map[string]*float64{CompSpecialisation: v(3), CompFirms: v(10)}},
		{ID: "b", Values: map[string]*float64{CompSpecialisation: v(1), CompFirms: v(50)}},
		{ID: "c", Values: map[string]*float64{CompSpecialisation: nil, CompFirms: v(30)}},
	}
	r, err := Rank(units, Weights{CompSpecialisation: 3, CompFirms: 1, CompHotSpot: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r[0].ID != "a" || r[0].Rank != 1 {
		t.Fatalf("ranking %+v", r)
	}
	for _, u := range r {
		var sum float64
		if len(u.Components) != 2 { // hot spot dropped: no unit has it
			t.Fatalf("components %+v", u.Components)
		}
		for _, c := range u.Components {
			sum += c.Contribution
			if c.Value != nil && math.Abs(c.Contribution-c.Weight*c.Percentile) > 1e-12 {
				t.Error("contribution ≠ weight × percentile")
			}
		}
		if math.Abs(sum-u.Score) > 1e-9 {
			t.Errorf("%s: score %v ≠ Σ contributions %v", u.ID, u.Score, sum)
		}
	}
	// a: spec pct 100 (only b below... b=1 <3 → 1 below of N-1=2 → 50)
	if c := r[0].Components[0]; c.Component != CompSpecialisation || c.Percentile != 50 || c.Weight != 0.75 {
		t.Errorf("a specialisation %+v", c)
	}
	for _, w := range []Weights{{CompFirms: -1}, {CompFirms: 0}, {}, {CompFirms: math.NaN()}, {"nope": 1}} {
		if _, err := Rank(units, w); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("weights %v accepted", w)
		}
	}
	if _, err := Rank(units, DefaultWeights()); err != nil {
		t.Error(err)
	}
}

func TestProfileSentences(t *testing.T) {
	lq := 2.4
	comp := 0.5
	pr := BuildProfile(ProfileFacts{Firms: 12, LQ: &lq, Entries: 4, Exits: 1, MinFirms: 20, DynamismYears: 5,
		Sizes:        map[string]int{"micro": 19, "small": 1},
		Institutions: map[kume.InstitutionType]int{kume.University: 2},
		RolesMissing: []kume.Role{kume.RoleSupplier}, Completeness: &comp})
	metrics := map[string]Statement{}
	for _, s := range append(pr.Strengths, pr.Weaknesses...) {
		if s.TR == "" || s.EN == "" || s.TR == s.EN {
			t.Errorf("statement lacks a language: %+v", s)
		}
		metrics[s.Kind+":"+s.Metric] = s
	}
	for _, k := range []string{"strength:lq", "weakness:firms", "strength:growth", "weakness:share_micro",
		"strength:institutions.university", "weakness:institutions.chamber", "weakness:completeness"} {
		if _, ok := metrics[k]; !ok {
			t.Errorf("missing %s in %+v", k, metrics)
		}
	}
	if s := metrics["strength:lq"]; s.Value != 2.4 || !strings.Contains(s.EN, "2.40") || !strings.Contains(s.TR, "2.40") {
		t.Errorf("lq statement %+v", s)
	}
	if g := metrics["strength:growth"]; math.Abs(g.Value-0.25) > 1e-12 {
		t.Errorf("growth %v", g.Value)
	}
	if _, err := json.Marshal(pr); err != nil {
		t.Fatal(err)
	}
}

func TestParamsJSONRoundTrip(t *testing.T) {
	p := DefaultParams()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseParams(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := json.Marshal(q)
	if string(raw) != string(raw2) {
		t.Errorf("round trip changed params:\n%s\n%s", raw, raw2)
	}
	for _, bad := range []string{`{"k":0}`, `{"resolutions":[4,4]}`, `{"unknown":1}`, `{"dominance_share":2}`, `[`, `{"lq_measure":"x"}`} {
		if _, err := ParseParams([]byte(bad)); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzParseParams(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"resolutions":[1,2,3],"k":3,"fdr":false}`))
	f.Add([]byte(`{"benchmark":"province:34","stars":{"size_top":0.2,"spec_lq":1.5,"focus_top":0.1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseParams(data)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed params do not validate: %v", err)
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseParams(raw); err != nil {
			t.Fatalf("re-parse of %s: %v", raw, err)
		}
	})
}

// Where founding dates are mostly unknown, entries miss the firms and entries
// minus exits would count exits only: dynamism is then unknown, and a
// ranking of such regions leaves it out.
func TestRegionUnitsDynamism(t *testing.T) {
	r := &kume.AnalysisResult{Regions: []kume.RegionStat{
		{Level: "bezirk", Code: "Mitte", Sector: "62", Firms: 100, Entries: 0, Exits: 40, Undated: 100},
		{Level: "bezirk", Code: "Pankow", Sector: "62", Firms: 50, Entries: 3, Exits: 30, Undated: 50},
		{Level: "province", Code: "20", Sector: "62", Firms: 100, Entries: 12, Exits: 2, Undated: 10},
	}}
	for _, u := range RegionUnits(r, "bezirk", "62") {
		if u.Values[CompDynamism] != nil {
			t.Errorf("%s: dynamism %v from undated firms", u.ID, *u.Values[CompDynamism])
		}
	}
	units := RegionUnits(r, "province", "62")
	if v := units[0].Values[CompDynamism]; v == nil || *v != 10 {
		t.Errorf("dated region: dynamism %v, want 10", v)
	}
	ranked, err := Rank(RegionUnits(r, "bezirk", "62"), DefaultWeights())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ranked[0].Components {
		if c.Component == CompDynamism {
			t.Errorf("dynamism ranked although unknown everywhere: %+v", c)
		}
	}
}
