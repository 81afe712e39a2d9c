package nace_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kume-geo/kume/nace"
)

// mustNew returns the embedded taxonomy, parsed once per test binary.
var mustNew = sync.OnceValue(func() *nace.Taxonomy {
	t, err := nace.New()
	if err != nil {
		panic(err)
	}
	return t
})

func TestCounts(t *testing.T) {
	tx := mustNew()
	for _, tt := range []struct {
		level nace.Level
		want  int
	}{{nace.Section, 21}, {nace.Division, 88}, {nace.Group, 272}, {nace.Class, 615}, {0, 996}} {
		if got := len(tx.All(tt.level)); got != tt.want {
			t.Errorf("All(%v) = %d items, want %d", tt.level, got, tt.want)
		}
	}
	if got := tx.All(7); got != nil {
		t.Errorf("All(7) = %v, want nil", got)
	}
	for _, s := range tx.All(0) {
		if s.NameEN == "" || s.NameTR == "" {
			t.Errorf("%s: missing name: %+v", s.Code, s)
		}
	}
	all := tx.All(0)
	codes := make([]string, len(all))
	for i, s := range all {
		codes[i] = s.Code
	}
	if codes[0] != "A" || codes[1] != "01" || codes[len(codes)-1] != "99.00" {
		t.Errorf("All(0) not in classification order: %v ... %v", codes[:3], codes[len(codes)-1])
	}
}

func TestNormalize(t *testing.T) {
	tx := mustNew()
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"1320", "13.20", true},
		{"13.20", "13.20", true},
		{"13.2", "13.2", true},
		{"13", "13", true},
		{"c", "C", true},
		{"C", "C", true},
		{"13,20", "13.20", true},
		{"132001", "13.20", true},
		{"13.20.01", "13.20", true},
		{"13.20.99", "13.20", true}, // any national suffix of a known class
		{" 13.20 ", "13.20", true},
		{`"4719"`, "47.19", true},
		{"0111", "01.11", true},
		{"1.11", "01.11", true},
		{"01.1", "01.1", true},
		{"1", "01", true},
		{"01", "01", true},
		{"132", "13.2", true},
		{"C13.20", "13.20", true},
		{"C 13.20", "13.20", true},
		{"c-13", "13", true},
		{"A13.20", "", false}, // wrong section
		{"12.00", "12.00", true},
		{"12.0", "12.0", true},
		{"13201", "", false}, // five digits: ambiguous
		{"1399999", "", false},
		{"13.21", "", false}, // no such class
		{"13.9.1", "", false},
		{"00", "", false},
		{"04", "", false}, // no division 04
		{"Z", "", false},
		{"V", "", false},
		{"", "", false},
		{".", "", false},
		{"13.", "", false},
		{".20", "", false},
		{"13..20", "", false},
		{"13.200", "", false},
		{"abc", "", false},
		{"-13", "", false},
		{"13.20x", "", false},
	}
	for _, tt := range tests {
		got, ok := tx.Normalize(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLookup(t *testing.T) {
	tx := mustNew()
	s, ok := tx.Lookup("1320")
	if !ok || s.Code != "13.20" || s.Level != nace.Class || s.Parent != "13.2" {
		t.Fatalf("Lookup(1320) = %+v, %v", s, ok)
	}
	if s.NameEN != "Weaving of textiles" || s.NameTR == "" {
		t.Errorf("names: %q / %q", s.NameEN, s.NameTR)
	}
	if _, ok := tx.Lookup("13.21"); ok {
		t.Error("Lookup(13.21) found an item")
	}
	// Spot checks of Turkish names, including items whose codes were mangled
	// in the source list.
	for code, want := range map[string]string{
		"C":     "İMALAT",
		"01.1":  "Tek yıllık (uzun ömürlü olmayan) bitkisel ürünlerin yetiştirilmesi",
		"01.11": "Tahılların (pirinç hariç), baklagillerin ve yağlı tohumların yetiştirilmesi",
		"10.2":  "Balık, kabuklu deniz hayvanları ve yumuşakçaların işlenmesi ve saklanması",
		"62.01": "Bilgisayar programlama faaliyetleri",
	} {
		s, _ := tx.Lookup(code)
		if s.NameTR != want {
			t.Errorf("%s: NameTR = %q, want %q", code, s.NameTR, want)
		}
	}
}

func TestAncestors(t *testing.T) {
	tx := mustNew()
	tests := []struct {
		code string
		want []string
	}{
		{"13.20", []string{"13.20", "13.2", "13", "C"}},
		{"1320", []string{"13.20", "13.2", "13", "C"}},
		{"13.2", []string{"13.2", "13", "C"}},
		{"13", []string{"13", "C"}},
		{"C", []string{"C"}},
		{"01.11", []string{"01.11", "01.1", "01", "A"}},
		{"nope", nil},
	}
	for _, tt := range tests {
		if got := tx.Ancestors(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Ancestors(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
	for code, want := range map[string]string{"13.20": "C", "62": "J", "A": "A", "99.00": "U", "x": ""} {
		if got := tx.Section(code); got != want {
			t.Errorf("Section(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestRollUp checks the hierarchy: every class rolls up through a group and a
// division to a section, children list exactly the items naming them as parent,
// and codes extend their parent's code.
func TestRollUp(t *testing.T) {
	tx := mustNew()
	for _, s := range tx.All(nace.Class) {
		a := tx.Ancestors(s.Code)
		if len(a) != 4 {
			t.Fatalf("Ancestors(%s) = %v", s.Code, a)
		}
		for i, want := range []nace.Level{nace.Class, nace.Group, nace.Division, nace.Section} {
			p, ok := tx.Lookup(a[i])
			if !ok || p.Level != want {
				t.Errorf("%s: ancestor %s has level %v, want %v", s.Code, a[i], p.Level, want)
			}
		}
	}
	n := 0
	var walk func(code string, level nace.Level)
	walk = func(code string, level nace.Level) {
		for _, c := range tx.Children(code) {
			n++
			if c.Parent != code || c.Level != level {
				t.Errorf("child %s of %q: parent %q level %v", c.Code, code, c.Parent, c.Level)
			}
			if level > nace.Division && !strings.HasPrefix(c.Code, code) {
				t.Errorf("%s does not extend %s", c.Code, code)
			}
			walk(c.Code, level+1)
		}
	}
	walk("", nace.Section)
	if n != 996 {
		t.Errorf("walked %d items, want 996", n)
	}
	if got := tx.Children("13.20"); got != nil {
		t.Errorf("Children of a class = %v", got)
	}
	if got := len(tx.Children("13")); got != 4 {
		t.Errorf("Children(13) = %d groups, want 4", got)
	}
}

func TestPrefixes(t *testing.T) {
	tx := mustNew()
	var c []string
	for i := 10; i <= 33; i++ {
		c = append(c, strings.TrimSpace(string(rune('0'+i/10))+string(rune('0'+i%10))))
	}
	tests := []struct {
		code string
		want []string
	}{
		{"C", c},
		{"c", c},
		{"13.2", []string{"13.2"}},
		{"13", []string{"13"}},
		{"1320", []string{"13.20"}},
		{"B", []string{"05", "06", "07", "08", "09"}},
		{"zz", nil},
	}
	for _, tt := range tests {
		if got := tx.Prefixes(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Prefixes(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestNational(t *testing.T) {
	tx := mustNew()
	n, ok := tx.National("132014")
	if !ok || n.Class != "13.20" || n.Code != "13.20.14" || n.NameTR != "Kot kumaşı imalatı" {
		t.Errorf("National(132014) = %+v, %v", n, ok)
	}
	if _, ok := tx.National("45.32.02"); ok {
		t.Error("repealed code 45.32.02 found")
	}
	if n, ok := tx.National("10.71.04"); !ok || n.NameTR != "Simit imalatı" {
		t.Errorf("National(10.71.04) = %+v, %v", n, ok)
	}
	if got := tx.NationalActivities("01.25"); len(got) != 2 {
		t.Errorf("NationalActivities(01.25) = %v", got)
	}
	classes := 0
	for _, s := range tx.All(nace.Class) {
		if len(tx.NationalActivities(s.Code)) > 0 {
			classes++
		}
	}
	if classes != 615 {
		t.Errorf("%d of 615 classes have national activities", classes)
	}
}

func TestLevelString(t *testing.T) {
	if nace.Group.String() != "group" || nace.Level(9).String() != "level(9)" {
		t.Error(nace.Group.String(), nace.Level(9).String())
	}
}
