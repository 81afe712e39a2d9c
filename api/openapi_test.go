package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/internal/teststores"
)

// documented reports whether a route belongs in the OpenAPI document.
func documented(route string) bool {
	for _, p := range []string{"/api/", "/ogc/", "/metrics", "/healthz", "/readyz"} {
		if strings.HasPrefix(route, p) {
			return true
		}
	}
	return false
}

func TestOpenAPIMatchesRouter(t *testing.T) { onStores(t, testOpenAPIMatchesRouter) }

func testOpenAPIMatchesRouter(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	routed := map[string]bool{}
	err := chi.Walk(s.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if documented(route) {
			routed[strings.ToLower(method)+" "+route] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for m := range ops {
			inDoc[m+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range routed {
		if !inDoc[k] {
			missing = append(missing, k)
		}
	}
	for k := range inDoc {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("routes missing from openapi.json: %v\ndocumented but not routed: %v", missing, extra)
	}
	if len(routed) < 25 {
		t.Errorf("only %d routes walked", len(routed))
	}
}

func TestDocsPage(t *testing.T) { onStores(t, testDocsPage) }

func testDocsPage(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	rec := do(t, s, http.MethodGet, "/api/docs", "", nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "/api/v1/hexagons") || strings.Contains(body, "<script") ||
		strings.Contains(body, "http://") && !strings.Contains(body, "openapi.json") {
		t.Fatalf("docs page: %d %.300s", rec.Code, body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	rec = do(t, s, http.MethodGet, "/api/openapi.json", "", nil)
	if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
}

// TestOpenAPILayerSchemas: the served document describes the properties of
// each layer's features as the exports write them (export.Columns, read from
// the layers' definitions), with their types.
func TestOpenAPILayerSchemas(t *testing.T) { onStores(t, testOpenAPILayerSchemas) }

func testOpenAPILayerSchemas(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	rec := do(t, s, http.MethodGet, "/api/openapi.json", "", nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type     string `json:"type"`
					Nullable bool   `json:"nullable"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
		t.Fatalf("openapi.json: %d %.200s", rec.Code, rec.Body.String())
	}
	for _, name := range export.Layers() {
		sc, ok := doc.Components.Schemas[strings.ToUpper(name[:1])+name[1:]+"Properties"]
		cols := export.Columns(name)
		if !ok || len(sc.Properties) != len(cols) {
			t.Errorf("%s: schema %+v, want the columns %v", name, sc, cols)
			continue
		}
		for _, c := range cols {
			if p, ok := sc.Properties[c]; !ok || p.Type == "" {
				t.Errorf("%s: property %s missing or untyped", name, c)
			}
		}
	}
	if p := doc.Components.Schemas["HexagonsProperties"].Properties; p["firms"].Type != "integer" || !p["firms"].Nullable ||
		p["cell"].Type != "string" || p["cell"].Nullable || p["lq"].Type != "number" {
		t.Errorf("hexagon schema: %+v", p)
	}
	if _, ok := doc.Components.Schemas["FeatureCollection"]; !ok {
		t.Error("the document's own schemas are gone")
	}
}
