package api

import (
	"log/slog"
	"math"
	"net/http/httptest"
	"testing"

	"github.com/kume-geo/kume"
)

// FuzzQueryParsers feeds arbitrary query strings to the parsers of outside
// input: the query string itself, bbox, weights and cursors. None may panic;
// whatever they accept must be finite and in range, and a rejection must be
// an EINVALID error (a 400), never an internal one.
func FuzzQueryParsers(f *testing.F) {
	for _, seed := range []string{
		"bbox=13.1,52.3,13.8,52.7", "bbox=-180,-90,180,90", "bbox=1,2,3", "bbox=NaN,0,1,1", "bbox=1e309,0,1,1",
		"weights=specialisation:1,dynamism:0.5", "weights=a:-1", "weights=x:NaN", "cursor=abc.def", "cursor=%00",
		"q=%27%20OR%201=1--", "limit=99999999999999999999", "a=1&a=2", "%zz",
	} {
		f.Add(seed)
	}
	s := New(DefaultConfig(), Deps{Log: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/x", nil)
		r.URL.RawQuery = raw
		p, err := parseParams(r, "bbox", "weights", "cursor", "q", "limit")
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("parseParams(%q): %v is not EINVALID", raw, err)
			}
			return
		}
		if b, err := p.bbox("bbox"); err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("bbox: %v is not EINVALID", err)
			}
		} else if b != nil {
			for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("bbox %v accepted from %q", b, raw)
				}
			}
			if b.Min[1] > b.Max[1] || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] < -180 || b.Max[0] > 180 {
				t.Fatalf("bbox %v out of range accepted from %q", b, raw)
			}
		}
		if w, err := parseWeights(p.v.Get("weights")); err == nil {
			for k, v := range w {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("weight %s=%v accepted from %q", k, v, raw)
				}
			}
		} else if kume.ErrorCode(err) != kume.EINVALID {
			t.Fatalf("weights: %v is not EINVALID", err)
		}
		if _, err := s.cursor(p, "/x"); err != nil && kume.ErrorCode(err) != kume.EINVALID {
			t.Fatalf("cursor: %v is not EINVALID", err)
		}
	})
}
