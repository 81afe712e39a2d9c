package nace_test

import (
	"testing"

	"github.com/kume-geo/kume/nace"
)

func TestNormalizeNational(t *testing.T) {
	tx := mustNew()
	tests := []struct {
		raw, want string
		v         nace.Variant
		ok        bool
	}{
		// France, NAF rév. 2 (INSEE): 01.11Z is "Culture de céréales (à
		// l'exception du riz), de légumineuses et de graines oléagineuses".
		{"01.11Z", "01.11", nace.NAF, true},
		{"0111Z", "01.11", nace.NAF, true},
		{"0111z", "01.11", nace.NAF, true},
		{"01.11 Z", "01.11", nace.NAF, true},
		{"62.01Z", "62.01", nace.NAF, true},
		{"10.71C", "10.71", nace.NAF, true},
		{"99.99Z", "", nace.NAF, false}, // no such class
		{"0.111Z", "", nace.Rev2, false},
		// Belgium, NACE-BEL 2008: 94.910 "Activités des organisations religieuses".
		{"94910", "94.91", nace.FiveDigit, true},
		{"94.910", "94.91", nace.FiveDigit, true},
		{"01.11.0", "01.11", nace.FiveDigit, true},
		{"47111", "47.11", nace.FiveDigit, true},
		{"13201", "13.20", nace.FiveDigit, true},
		{"11101", "", nace.FiveDigit, false}, // 11.10 is no class (a Turkish 011101 that lost its zero)
		{"9.4910", "", nace.Rev2, false},
		// Türkiye, six digits.
		{"011101", "01.11", nace.TurkishSixDigit, true},
		{"01.11.01", "01.11", nace.TurkishSixDigit, true},
		{"01.1101", "01.11", nace.TurkishSixDigit, true},
		{"13.20.99", "13.20", nace.TurkishSixDigit, true},
		{"99.99.99", "", nace.TurkishSixDigit, false},
		{"01..1101", "", nace.Rev2, false},
		// NACE Rev. 2 itself.
		{"13.20", "13.20", nace.Rev2, true},
		{"1320", "13.20", nace.Rev2, true},
		{"13", "13", nace.Rev2, true},
		{"C", "C", nace.Rev2, true},
		{"C13.20", "13.20", nace.Rev2, true},
		{"13.2", "13.2", nace.Rev2, true},
		{"", "", nace.Rev2, false},
		{"Z", "", nace.Rev2, false},
		{"1234567", "", nace.Rev2, false},
	}
	for _, tt := range tests {
		code, v, ok := tx.NormalizeNational(tt.raw)
		if code != tt.want || v != tt.v || ok != tt.ok {
			t.Errorf("NormalizeNational(%q) = %q, %q, %v; want %q, %q, %v", tt.raw, code, v, ok, tt.want, tt.v, tt.ok)
		}
	}
}

func TestVariantDescriptions(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range append(nace.Variants(), nace.Rev2) {
		d := v.Describe()
		if d == "" || seen[d] {
			t.Errorf("variant %q: description %q empty or repeated", v, d)
		}
		seen[d] = true
	}
}

func FuzzNormalizeNational(f *testing.F) {
	tx := mustNew()
	for _, s := range []string{"01.11Z", "0111Z", "94910", "94.910", "01.11.0", "011101", "01.11.01", "13.20",
		"C", "0111 z", "", "99999", "1.1.1.1", "\"62.01Z\"", "01.1101", "Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		code, v, ok := tx.NormalizeNational(raw)
		if !ok {
			if code != "" {
				t.Fatalf("NormalizeNational(%q) = %q, %q, false", raw, code, v)
			}
			return
		}
		s, found := tx.Lookup(code)
		if !found || s.Code != code {
			t.Fatalf("NormalizeNational(%q) = %q: not a known code", raw, code)
		}
		if v != nace.Rev2 && s.Level != nace.Class {
			t.Fatalf("NormalizeNational(%q) = %q (%s): a national code must give a class", raw, code, v)
		}
		if again, av, ok := tx.NormalizeNational(code); !ok || again != code || av != nace.Rev2 {
			t.Fatalf("NormalizeNational(%q) = %q, %q, %v: not idempotent", code, again, av, ok)
		}
		if v == nace.Rev2 {
			if n, ok := tx.Normalize(raw); !ok || n != code {
				t.Fatalf("Normalize(%q) = %q, %v; NormalizeNational says %q", raw, n, ok, code)
			}
		}
	})
}
