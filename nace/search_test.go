package nace_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kume-geo/kume/nace"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"İSTANBUL", "istanbul"},
		{"istanbul", "istanbul"},
		{"Istanbul", "istanbul"},
		{"ıstanbul", "istanbul"},
		{"İstanbul", "istanbul"},
		{"i\u0307stanbul", "istanbul"}, // i + combining dot, as strings.ToLower("İ") gives
		{"ŞİŞLİ", "sisli"},
		{"Ağrı", "agri"},
		{"Çorum", "corum"},
		{"Gölcük", "golcuk"},
		{"ÜSKÜDAR", "uskudar"},
		{"Kâğıthane", "kagithane"},
		{"Şanlıurfa  /  Siverek", "sanliurfa siverek"},
		{"  Hacı-Bektaş  ", "haci bektas"},
		{"Straße", "strasse"},
		{"Café", "cafe"},
		{"Türkiye'nin", "turkiye nin"},
		{"13.20", "13 20"},
		{"", ""},
		{"...", ""},
		{"a\xffb", "a b"},
	}
	for _, tt := range tests {
		if got := nace.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func codesOf(ss []nace.Sector) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Code
	}
	return out
}

func TestSearch(t *testing.T) {
	tx := mustNew()
	tests := []struct {
		q     string
		level nace.Level
		limit int
		first []string // expected leading results
		has   string   // a code that must be among the results
		none  bool
	}{
		{q: "13.20", first: []string{"13.20"}},
		{q: "1320", first: []string{"13.20"}},
		{q: "13.2", first: []string{"13.2", "13.20"}},
		{q: "13", first: []string{"13", "13.1", "13.10", "13.2"}},
		{q: "c", first: []string{"C"}},
		{q: "weaving", first: []string{"13.2", "13.20"}},
		{q: "Weaving of textiles", first: []string{"13.2", "13.20"}},
		{q: "dokuma", has: "13.20"},
		{q: "DOKUMA", has: "13.20"},
		{q: "İMALAT", first: []string{"C"}},
		{q: "imalat", level: nace.Section, first: []string{"C"}},
		{q: "IMALAT", level: nace.Section, first: []string{"C"}},
		{q: "bilgisayar programlama", has: "62.01"},
		{q: "computer program", has: "62.01"},
		{q: "textiles", level: nace.Division, first: []string{"13"}},
		{q: "fındık", has: "01.25"}, // through the national activity "Fındık yetiştiriciliği"
		{q: "FINDIK", has: "01.25"},
		{q: "simit", first: []string{"10.71"}},
		{q: "zzzzqq", none: true},
		{q: "", none: true},
		{q: "  ", none: true},
	}
	for _, tt := range tests {
		got := codesOf(tx.Search(tt.q, tt.level, tt.limit))
		if tt.none {
			if len(got) != 0 {
				t.Errorf("Search(%q) = %v, want none", tt.q, got)
			}
			continue
		}
		if len(got) < len(tt.first) || strings.Join(got[:len(tt.first)], ",") != strings.Join(tt.first, ",") {
			t.Errorf("Search(%q, %v) = %v, want first %v", tt.q, tt.level, got, tt.first)
		}
		if tt.has != "" && !strings.Contains(","+strings.Join(got, ",")+",", ","+tt.has+",") {
			t.Errorf("Search(%q) = %v, want %s among them", tt.q, got, tt.has)
		}
		for _, c := range got {
			if s, _ := tx.Lookup(c); tt.level != 0 && s.Level != tt.level {
				t.Errorf("Search(%q, %v) returned %s of level %v", tt.q, tt.level, c, s.Level)
			}
		}
	}
}

func TestSearchLimit(t *testing.T) {
	tx := mustNew()
	if got := len(tx.Search("manufacture", 0, 0)); got != nace.DefaultSearchLimit {
		t.Errorf("limit 0: %d results", got)
	}
	if got := len(tx.Search("manufacture", 0, 3)); got != 3 {
		t.Errorf("limit 3: %d results", got)
	}
	if got := len(tx.Search("manufacture", 0, 10000)); got < 100 {
		t.Errorf("limit 10000: %d results", got)
	}
	if got := tx.Search("manufacture", 9, 10); got != nil {
		t.Errorf("bad level: %v", got)
	}
}

func FuzzNormalize(f *testing.F) {
	tx := mustNew()
	for _, s := range []string{"1320", "13.20", "13.2", "13", "c", "C13.20", "13,20", "132001", "13.20.01",
		"1.11", "", "V", "12.00", "\"47.19\"", "C-13", "99999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		code, ok := tx.Normalize(raw)
		if !ok {
			if code != "" {
				t.Fatalf("Normalize(%q) = %q, false", raw, code)
			}
			return
		}
		s, found := tx.Lookup(code)
		if !found || s.Code != code {
			t.Fatalf("Normalize(%q) = %q, not a known code", raw, code)
		}
		if again, ok := tx.Normalize(code); !ok || again != code {
			t.Fatalf("Normalize(%q) = %q, %v: not idempotent", code, again, ok)
		}
		if a := tx.Ancestors(raw); len(a) != int(s.Level) || a[0] != code {
			t.Fatalf("Ancestors(%q) = %v", raw, a)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"İSTANBUL", "ıstanbul", "Kâğıthane", "Straße", "a\xffb", "  x  y  ", "ǅ", "K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := nace.Fold(s)
		if !utf8.ValidString(k) {
			t.Fatalf("Fold(%q) = %q: invalid UTF-8", s, k)
		}
		if nace.Fold(k) != k {
			t.Fatalf("Fold(%q) = %q, but Fold of that is %q", s, k, nace.Fold(k))
		}
		if strings.HasPrefix(k, " ") || strings.HasSuffix(k, " ") || strings.Contains(k, "  ") {
			t.Fatalf("Fold(%q) = %q: untidy spaces", s, k)
		}
		if nace.Fold(strings.ToUpper(s)) != nace.Fold(strings.ToLower(s)) && utf8.ValidString(s) && isLatin(s) {
			t.Fatalf("Fold(%q): upper and lower case fold differently", s)
		}
	})
}

// isLatin reports whether s holds only ASCII and Latin-1/Latin Extended-A
// letters, for which case folding must not matter.
func isLatin(s string) bool {
	for _, r := range s {
		if r > 0x17F || r == 'ß' || r == 'ſ' || r == 'ŉ' {
			return false
		}
	}
	return true
}

func BenchmarkNormalize(b *testing.B) {
	tx := mustNew()
	for b.Loop() {
		tx.Normalize("4719")
	}
}

func BenchmarkSearch(b *testing.B) {
	tx := mustNew()
	for b.Loop() {
		tx.Search("tekstil", 0, 20)
	}
}
