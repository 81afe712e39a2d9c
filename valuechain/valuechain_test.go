package valuechain_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/valuechain"
)

var taxonomy = sync.OnceValue(func() *nace.Taxonomy {
	t, err := nace.New()
	if err != nil {
		panic(err)
	}
	return t
})

func TestDefault(t *testing.T) {
	chains, err := valuechain.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := valuechain.Validate(chains, taxonomy()); err != nil {
		t.Fatal(err)
	}
	want := []string{"textiles", "automotive", "machinery", "food", "furniture", "ceramics_glass",
		"chemicals_plastics", "metal_products", "electronics", "ict", "logistics", "agrifood"}
	var ids []string
	for _, vc := range chains {
		ids = append(ids, vc.ID)
		if vc.Name["en"] == "" || vc.Name["tr"] == "" {
			t.Errorf("%s: names %v", vc.ID, vc.Name)
		}
		if !strings.Contains(vc.Source, "Delgado, Porter & Stern 2016") {
			t.Errorf("%s: source %q", vc.ID, vc.Source)
		}
		for _, r := range kume.Roles() {
			if len(vc.Roles[r]) == 0 {
				t.Errorf("%s: no %s codes", vc.ID, r)
			}
		}
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			t.Errorf("no chain %q", id)
		}
	}
}

func TestMatch(t *testing.T) {
	chains, err := valuechain.Default()
	if err != nil {
		t.Fatal(err)
	}
	m, err := valuechain.NewMatcher(chains, taxonomy())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code string
		want []valuechain.Membership
	}{
		{"13.20", []valuechain.Membership{{"textiles", kume.RoleCore}}},
		{"1320", []valuechain.Membership{{"textiles", kume.RoleCore}}},
		{"13", []valuechain.Membership{{"textiles", kume.RoleCore}}},
		{"29.32", []valuechain.Membership{{"automotive", kume.RoleCore}}},
		// listed in several chains, in different roles, ordered by chain id
		{"28.94", []valuechain.Membership{{"leather_footwear", kume.RoleSupplier}, {"machinery", kume.RoleCore}, {"textiles", kume.RoleSupplier}}},
		// the most specific listing wins: 01 is core, 01.6 service
		{"01.61", []valuechain.Membership{{"agrifood", kume.RoleService}}},
		{"01.11", []valuechain.Membership{{"agrifood", kume.RoleCore}, {"food", kume.RoleSupplier}}},
		{"01.30", []valuechain.Membership{{"agrifood", kume.RoleSupplier}}},
		{"62.01", []valuechain.Membership{{"ict", kume.RoleCore}}},
		{"C", nil},     // coarser than any listing
		{"84.11", nil}, // public administration: no chain
		{"nope", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := m.Match(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
	ps := m.Prefixes("textiles")
	if !slices.Equal(ps[:3], []string{"01.16", "01.45", "13"}) || slices.Contains(ps, "13.20") {
		t.Errorf("Prefixes(textiles) = %v", ps)
	}
	if m.Prefixes("nope") != nil {
		t.Error("Prefixes of an unknown chain")
	}
}

// TestMatchAllClasses checks the precomputed table against a direct reading of
// the definitions for every class.
func TestMatchAllClasses(t *testing.T) {
	tx := taxonomy()
	chains, _ := valuechain.Default()
	m, err := valuechain.NewMatcher(chains, tx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tx.All(nace.Class) {
		var want []valuechain.Membership
		for _, vc := range chains {
			best, role := -1, kume.Role("")
			for r, codes := range vc.Roles {
				for _, c := range codes {
					if strings.HasPrefix(s.Code, c) && len(c) > best {
						best, role = len(c), r
					}
				}
			}
			if best >= 0 {
				want = append(want, valuechain.Membership{Chain: vc.ID, Role: role})
			}
		}
		slices.SortFunc(want, func(a, b valuechain.Membership) int { return strings.Compare(a.Chain, b.Chain) })
		if got := m.Match(s.Code); !slices.Equal(got, want) {
			t.Errorf("Match(%s) = %v, want %v", s.Code, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	const yamlDoc = `
chains:
  - id: a
    name: {en: A}
    roles:
      core: ["13"]
  - id: b
    name: {en: B, tr: B}
    roles: {core: ["14.1"], supplier: ["20.60"]}
`
	const jsonDoc = `{"chains": [{"id": "a", "name": {"en": "A"}, "roles": {"core": ["13"]}},
		{"id": "b", "name": {"en": "B", "tr": "B"}, "roles": {"core": ["14.1"], "supplier": ["20.60"]}}]}`
	want := []kume.ValueChain{
		{ID: "a", Name: map[string]string{"en": "A"}, Roles: map[kume.Role][]string{kume.RoleCore: {"13"}}},
		{ID: "b", Name: map[string]string{"en": "B", "tr": "B"}, Roles: map[kume.Role][]string{kume.RoleCore: {"14.1"}, kume.RoleSupplier: {"20.60"}}},
	}
	for _, doc := range []string{yamlDoc, jsonDoc, "- id: a\n  name: {en: A}\n  roles: {core: ['13']}\n- id: b\n  name: {en: B, tr: B}\n  roles: {core: ['14.1'], supplier: ['20.60']}\n"} {
		got, err := valuechain.Parse(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, doc)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse = %+v, want %+v", got, want)
		}
	}
	if got, err := valuechain.Parse(strings.NewReader("")); err != nil || len(got) != 0 {
		t.Errorf("Parse(empty) = %v, %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"chains:\n  - id: a\n    roles: {core: ['13']}\n  - id: textiles\n    colour: red\n    roles: {core: ['13']}\n", `chain "textiles"`},
		{"chains:\n  - id: a\n    roles: {core: ['13']}\n  - id: textiles\n    colour: red\n", "colour"},
		{"chains:\n  - id: a\n    roles: {cor: ['13']}\n", `chain "a": unknown role "cor"`},
		{"chains:\n  - name: {en: x}\n", "chain #1: no id"},
		{"chainz: []\n", "chainz"},
		{"chains: [\n", "yaml"},
		{`{"chains": [{"id": "a", "roles": {}}, {"id": "b", "extra": 1}]}`, `chain "b": json: unknown field "extra"`},
		{`[{"id": "a", "roles": {"x": ["13"]}}]`, `unknown role "x"`},
		{`{"chains": []} {}`, "after the top-level"},
		{`{"chains": [{"id": 5}]}`, "json"},
		{"\xff\xfe", "UTF-8"},
	}
	for _, tt := range tests {
		_, err := valuechain.Parse(strings.NewReader(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to mention %q", tt.doc, err, tt.want)
		}
	}
	big := strings.Repeat("#", valuechain.MaxInputSize+1)
	if _, err := valuechain.Parse(strings.NewReader(big)); err == nil {
		t.Error("Parse accepted an oversized document")
	}
}

func TestValidate(t *testing.T) {
	tx := taxonomy()
	ok := func() kume.ValueChain {
		return kume.ValueChain{ID: "ok", Name: map[string]string{"en": "OK"},
			Roles: map[kume.Role][]string{kume.RoleCore: {"13"}, kume.RoleSupplier: {"20.60"}}}
	}
	if err := valuechain.Validate([]kume.ValueChain{ok()}, tx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(*kume.ValueChain)
		want   string
	}{
		{"bad id", func(v *kume.ValueChain) { v.ID = "Tex tiles" }, "id must be"},
		{"long id", func(v *kume.ValueChain) { v.ID = strings.Repeat("a", 65) }, "id must be"},
		{"no id", func(v *kume.ValueChain) { v.ID = "" }, "chain #2: no id"},
		{"no core", func(v *kume.ValueChain) { delete(v.Roles, kume.RoleCore) }, "no core code"},
		{"empty core", func(v *kume.ValueChain) { v.Roles[kume.RoleCore] = nil }, "no core code"},
		{"unknown code", func(v *kume.ValueChain) { v.Roles[kume.RoleCore] = []string{"13.21"} }, `unknown NACE code "13.21"`},
		{"raw code", func(v *kume.ValueChain) { v.Roles[kume.RoleCore] = []string{"1320"} }, `want "13.20"`},
		{"unknown role", func(v *kume.ValueChain) { v.Roles["cor"] = []string{"13"} }, `unknown role "cor"`},
		{"twice", func(v *kume.ValueChain) { v.Roles[kume.RoleService] = []string{"20.60"} }, "code 20.60 listed twice"},
		{"no name", func(v *kume.ValueChain) { v.Name = nil }, "no English name"},
		{"duplicate", func(v *kume.ValueChain) { v.ID = "ok" }, `chain "ok": duplicate id`},
	}
	for _, tt := range tests {
		v := ok()
		v.ID = "second"
		tt.modify(&v)
		err := valuechain.Validate([]kume.ValueChain{ok(), v}, tx)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate error = %v, want it to mention %q", tt.name, err, tt.want)
		}
		if _, err := valuechain.NewMatcher([]kume.ValueChain{ok(), v}, tx); err == nil {
			t.Errorf("%s: NewMatcher accepted invalid chains", tt.name)
		}
	}
	if err := valuechain.Validate(nil, nil); err == nil {
		t.Error("Validate with a nil taxonomy")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`chains: [{id: a, name: {en: A}, roles: {core: ["13"]}}]`)
	f.Add(`[{"id": "a", "roles": {"core": ["13"], "service": null}}]`)
	f.Add("- id: x\n  roles: {supplier: [a, b]}\n  source: s\n")
	f.Add(`{"chains": null}`)
	f.Add("chains:\n  - &a {id: a}\n  - *a\n")
	f.Fuzz(func(t *testing.T, doc string) {
		chains, err := valuechain.Parse(strings.NewReader(doc))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "valuechain: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		for _, vc := range chains {
			if vc.ID == "" {
				t.Fatalf("Parse accepted a chain without id: %q", doc)
			}
		}
		// What Parse accepts survives a JSON round trip.
		b, err := json.Marshal(map[string]any{"chains": chains})
		if err != nil {
			t.Fatal(err)
		}
		again, err := valuechain.Parse(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("reparse of %s: %v", b, err)
		}
		if len(again) != len(chains) || (len(chains) > 0 && !reflect.DeepEqual(again, chains)) {
			t.Fatalf("round trip changed %+v into %+v", chains, again)
		}
		_ = valuechain.Validate(chains, taxonomy())
	})
}

func BenchmarkMatch(b *testing.B) {
	tx := taxonomy()
	chains, _ := valuechain.Default()
	m, err := valuechain.NewMatcher(chains, tx)
	if err != nil {
		b.Fatal(err)
	}
	codes := []string{"13.20", "28.94", "47.11", "84.11", "4719"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Match(codes[i%len(codes)])
	}
}
