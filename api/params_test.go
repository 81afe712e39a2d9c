package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kume-geo/kume/internal/teststores"
)

var long10k = strings.Repeat("a", 10<<10)

// textAttacks are hostile values for every text parameter.
func textAttacks() []string {
	return []string{"' OR 1=1 --", "1; DROP TABLE establishments", "%", "_", "a%b_c", "\x00", "a\x00b", long10k}
}

// numberAttacks are hostile values for every numeric parameter.
func numberAttacks() []string {
	return []string{"abc", "NaN", "nan", "Inf", "-Inf", "+Infinity", "-1", "1e999", "0x10", "1_0", "", "99999999999999999999999"}
}

func TestTextParametersRejectHostileInput(t *testing.T) {
	onStores(t, testTextParametersRejectHostileInput)
}

func testTextParametersRejectHostileInput(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	routes := []struct{ path, param string }{
		{"/api/v1/establishments", "dataset"}, {"/api/v1/establishments", "sector"},
		{"/api/v1/establishments", "kind"}, {"/api/v1/establishments", "type"},
		{"/api/v1/establishments", "region"}, {"/api/v1/establishments", "cursor"},
		{"/api/v1/hexagons", "sector"}, {"/api/v1/clusters", "sector"},
		{"/api/v1/regions", "level"}, {"/api/v1/regions/34/profile", "sector"},
		{"/api/v1/regions/34/profile", "level"}, {"/api/v1/rank", "sector"}, {"/api/v1/rank", "unit"},
		{"/api/v1/rank", "level"}, {"/api/v1/rank", "weights"},
		{"/api/v1/export/establishments.geojson", "sector"}, {"/api/v1/export/regions.csv", "level"},
		{"/ogc/collections/establishments/items", "dataset"}, {"/ogc/collections/hexagons/items", "sector"},
	}
	for _, rt := range routes {
		for _, v := range textAttacks() {
			name := rt.path + "?" + rt.param + "=" + v
			if len(name) > 80 {
				name = name[:80]
			}
			t.Run(name, func(t *testing.T) {
				rec := do(t, s, http.MethodGet, rt.path+"?"+rt.param+"="+url.QueryEscape(v), "", nil)
				if v == "_" && rt.param == "level" {
					// "_" is a well-formed level name and matches only itself
					if rec.Code >= 500 || strings.Contains(rec.Body.String(), "İstanbul") {
						t.Fatalf("level=_ acted as a wildcard: %d %.200s", rec.Code, rec.Body.String())
					}
					return
				}
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %.200s", rec.Code, rec.Body.String())
				}
				m := decode(t, rec)
				if m["code"] != "invalid" || !strings.Contains(m["message"].(string), rt.param) {
					t.Fatalf("error body %v does not name %s", m, rt.param)
				}
			})
		}
	}
}

func TestSectorSearchTreatsWildcardsAsText(t *testing.T) {
	onStores(t, testSectorSearchTreatsWildcardsAsText)
}

func testSectorSearchTreatsWildcardsAsText(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"tekstil", http.StatusOK}, {"%", http.StatusOK}, {"_", http.StatusOK}, {"' OR 1=1 --", http.StatusOK},
		{"a\x00b", http.StatusBadRequest}, {long10k, http.StatusBadRequest},
	} {
		rec := do(t, s, http.MethodGet, "/api/v1/sectors?q="+url.QueryEscape(tc.q), "", nil)
		if rec.Code != tc.want {
			t.Errorf("q=%.20q: status %d, want %d", tc.q, rec.Code, tc.want)
		}
		if tc.want == http.StatusOK && tc.q != "tekstil" {
			if n := len(decode(t, rec)["sectors"].([]any)); n != 0 {
				t.Errorf("q=%q matched %d sectors", tc.q, n)
			}
		}
	}
}

func TestNumericParametersRejectHostileInput(t *testing.T) {
	onStores(t, testNumericParametersRejectHostileInput)
}

func testNumericParametersRejectHostileInput(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	routes := []struct{ path, param string }{
		{"/api/v1/establishments", "limit"}, {"/api/v1/hexagons", "res"}, {"/api/v1/hexagons", "limit"},
		{"/api/v1/clusters", "res"}, {"/api/v1/rank", "limit"}, {"/api/v1/sectors", "limit"},
		{"/ogc/collections/establishments/items", "limit"}, {"/api/v1/export/hexagons.geojson", "res"},
		{"/api/v1/hexagons", "include_empty"},
	}
	for _, rt := range routes {
		for _, v := range numberAttacks() {
			if v == "99999999999999999999999" && rt.param == "limit" {
				continue // huge limits are clamped, tested below
			}
			t.Run(rt.path+"?"+rt.param+"="+v, func(t *testing.T) {
				rec := do(t, s, http.MethodGet, rt.path+"?"+rt.param+"="+url.QueryEscape(v), "", nil)
				if v == "_" && rt.param == "level" {
					// "_" is a well-formed level name and matches only itself
					if rec.Code >= 500 || strings.Contains(rec.Body.String(), "İstanbul") {
						t.Fatalf("level=_ acted as a wildcard: %d %.200s", rec.Code, rec.Body.String())
					}
					return
				}
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %.200s", rec.Code, rec.Body.String())
				}
			})
		}
	}
}

func TestHugeLimitIsClamped(t *testing.T) { onStores(t, testHugeLimitIsClamped) }

func testHugeLimitIsClamped(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, func(c *Config, _ *Deps) {})
	s.api.cfg.MaxLimit = 10
	for _, v := range []string{"11", "1000000", "99999999999999999999999"} {
		rec := do(t, s, http.MethodGet, "/api/v1/establishments?limit="+v, "", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("limit=%s: status %d", v, rec.Code)
		}
		if n := len(decode(t, rec)["establishments"].([]any)); n != 10 {
			t.Errorf("limit=%s returned %d, want the cap 10", v, n)
		}
	}
}

func TestBBoxParsing(t *testing.T) {
	tests := []struct {
		bbox string
		ok   bool
	}{
		{"28.9,41.0,29.0,41.1", true},
		{"28.9,41.0,0,29.0,41.1,100", true},
		{"-180,-90,180,90", true},
		{"28.9,41.0,29.0", false},
		{"28.9,41.0,29.0,41.1,1", false},
		{"NaN,41.0,29.0,41.1", false},
		{"28.9,Inf,29.0,41.1", false},
		{"28.9,41.0,29.0,1e999", false},
		{"181,41.0,182,41.1", false},
		{"28.9,-91,29.0,41.1", false},
		{"28.9,41.2,29.0,41.1", false}, // south > north
		{"170,0,-170,10", false},       // antimeridian
		{"0x1p1,0,1,1", false},
		{"a,b,c,d", false},
		{"", false},
	}
	for _, tc := range tests {
		_, err := params{v: url.Values{"bbox": {tc.bbox}}}.bbox("bbox")
		if (err == nil) != tc.ok {
			t.Errorf("bbox %q: err %v, want ok=%v", tc.bbox, err, tc.ok)
		}
	}
}

func TestUnknownAndRepeatedParameters(t *testing.T) { onStores(t, testUnknownAndRepeatedParameters) }

func testUnknownAndRepeatedParameters(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	tests := []struct {
		target, mention string
	}{
		{"/api/v1/establishments?colour=red", "colour"},
		{"/api/v1/establishments?limit=1&limit=2", "limit"},
		{"/api/v1/hexagons?res=7&res=8", "res"},
		{"/api/v1/datasets?x=1", "x"},
		{"/api/v1/establishments?%zz=1", "malformed"},
		{"/ogc/collections?foo=1", "foo"},
		{"/api/v1/export/establishments.geojson?bbox=1,1,2,2&bbox=1,1,2,2", "bbox"},
	}
	for _, tc := range tests {
		rec := do(t, s, http.MethodGet, tc.target, "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.mention) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.target, rec.Code, rec.Body.String(), tc.mention)
		}
	}
}

func TestTamperedCursorIsRejected(t *testing.T) { onStores(t, testTamperedCursorIsRejected) }

func testTamperedCursorIsRejected(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	rec := do(t, s, http.MethodGet, "/api/v1/establishments?limit=10&kind=firm", "", nil)
	next, _ := decode(t, rec)["next"].(string)
	if next == "" {
		t.Fatal("no next link")
	}
	u, _ := url.Parse(next)
	cur := u.Query().Get("cursor")
	if !strings.Contains(u.RawQuery, "kind=firm") {
		t.Fatalf("next link %s lost a filter", next)
	}
	body, sig, _ := strings.Cut(cur, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[1] == 'A' {
			b[1] = 'B'
		} else {
			b[1] = 'A'
		}
		return string(b)
	}
	for _, bad := range []string{flip(body) + "." + sig, body + "." + flip(sig), body, "garbage", cur + "x"} {
		rec := do(t, s, http.MethodGet, "/api/v1/establishments?limit=10&kind=firm&cursor="+url.QueryEscape(bad), "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "cursor") {
			t.Errorf("cursor %q: %d %s", bad, rec.Code, rec.Body.String())
		}
	}
	// a valid cursor replayed against another query
	rec = do(t, s, http.MethodGet, "/api/v1/establishments?limit=10&kind=institution&cursor="+url.QueryEscape(cur), "", nil)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("cursor of another query: %d", rec.Code)
	}
	rec = do(t, s, http.MethodGet, "/api/v1/establishments?limit=10&kind=firm&cursor="+url.QueryEscape(cur), "", nil)
	if rec.Code != http.StatusOK {
		t.Errorf("genuine cursor: %d %s", rec.Code, rec.Body.String())
	}
}
