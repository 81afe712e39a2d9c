package ingest

import (
	"testing"
	"time"

	"github.com/kume-geo/kume/nace"
)

// TestISODateMatchesTimeParse checks the fast path of parseDate against
// time.Parse with parseDate's year range.
func TestISODateMatchesTimeParse(t *testing.T) {
	for _, s := range []string{
		"2023-08-01", "2024-02-29", "2023-02-29", "2023-04-31", "2023-12-31", "2023-13-01",
		"2023-00-10", "2023-01-00", "0999-01-01", "1000-01-01", "3000-12-31", "3001-01-01",
		"2023-1-01", "2023/01/01", "2023-01-1x", "+023-01-01", "2023-01-01T00:00:00Z",
	} {
		got, ok := parseISODate(s)
		want, err := time.Parse("2006-01-02", s)
		wantOK := err == nil && want.Year() >= 1000 && want.Year() <= 3000
		if ok != wantOK || (ok && !got.Equal(want)) {
			t.Errorf("parseISODate(%q) = %v, %v; time.Parse: %v, %v", s, got, ok, want, err)
		}
	}
}

// TestNACECache checks that the cache gives the coder's answers.
func TestNACECache(t *testing.T) {
	c := newNACECache(stubCoder{})
	for range 2 {
		for _, raw := range []string{"13.20", "x", ""} {
			code, v, ok := c.NormalizeNational(raw)
			wantCode, wantV, wantOK := stubCoder{}.NormalizeNational(raw)
			if code != wantCode || v != wantV || ok != wantOK {
				t.Errorf("NormalizeNational(%q) = %q, %q, %v; want %q, %q, %v", raw, code, v, ok, wantCode, wantV, wantOK)
			}
		}
	}
}

type stubCoder struct{}

func (stubCoder) NormalizeNational(raw string) (string, nace.Variant, bool) {
	switch raw {
	case "13.20":
		return "13.2", nace.Rev2, true
	case "1320Z":
		return "13.20", nace.NAF, true
	}
	return "", nace.Rev2, false
}
