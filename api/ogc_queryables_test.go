package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kume-geo/kume/cql2"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestQueryablesTyped asks for a type of every property the collections
// serve: a property added to a layer needs one in propertyType.
func TestQueryablesTyped(t *testing.T) {
	for _, layer := range export.Layers() {
		for _, p := range layerProperties(layer) {
			if propertyType(layer, p) == cql2.TypeAny {
				t.Errorf("%s.%s has no queryable type: add it to propertyType", layer, p)
			}
		}
	}
}

// TestOGCQueryables checks the queryables resource of every collection
// against OGC API – Features Part 3: a JSON Schema of the feature
// properties and the geometry, linked from the collection.
func TestOGCQueryables(t *testing.T) { onStores(t, testOGCQueryables) }

func testOGCQueryables(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	for _, layer := range export.Layers() {
		target := "/ogc/collections/" + layer + "/queryables"
		rec := do(t, s, http.MethodGet, target, "", nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentSchema {
			t.Fatalf("%s: %d %q", target, rec.Code, rec.Header().Get("Content-Type"))
		}
		var doc struct {
			Schema     string                    `json:"$schema"`
			ID         string                    `json:"$id"`
			Type       string                    `json:"type"`
			Properties map[string]map[string]any `json:"properties"`
			Additional *bool                     `json:"additionalProperties"`
			Queryables []struct{ ID string }     `json:"queryables"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" || doc.ID != "http://example.com"+target ||
			doc.Type != "object" || doc.Additional == nil || *doc.Additional {
			t.Errorf("%s: header members %+v", target, doc)
		}
		var names, legacy []string
		for name, p := range doc.Properties {
			names = append(names, name)
			if name == geometryQueryable {
				if p["type"] != nil || !strings.HasPrefix(p["format"].(string), "geometry-") {
					t.Errorf("%s: geometry %v", layer, p)
				}
				continue
			}
			if typ, _ := p["type"].(string); !slices.Contains([]string{"string", "number", "integer", "boolean"}, typ) {
				t.Errorf("%s.%s: type %v", layer, name, p["type"])
			}
		}
		for _, q := range doc.Queryables {
			legacy = append(legacy, q.ID)
		}
		want := append([]string{geometryQueryable}, layerProperties(layer)...)
		sort.Strings(names)
		sort.Strings(legacy)
		sort.Strings(want)
		if !slices.Equal(names, want) || !slices.Equal(legacy, want) {
			t.Errorf("%s: properties %v, draft list %v, want %v", layer, names, legacy, want)
		}
		if layer == export.LayerEstablishments && doc.Properties["founded"]["format"] != "date" {
			t.Errorf("founded: %v", doc.Properties["founded"])
		}
		// plain JSON for clients that ask for nothing else
		req := do(t, s, http.MethodGet, target+"?f=json", "", nil)
		if ct := req.Header().Get("Content-Type"); ct != contentSchema {
			t.Errorf("no Accept: %q", ct)
		}
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Accept", "application/geo+json, application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if ct := w.Header().Get("Content-Type"); ct != contentJSON {
			t.Errorf("Accept: application/json: %q", ct)
		}
	}
	if rec := do(t, s, http.MethodGet, "/ogc/collections/nope/queryables", "", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown collection: %d", rec.Code)
	}
	col := decode(t, do(t, s, http.MethodGet, "/ogc/collections/clusters", "", nil))
	rels := map[string]string{}
	for _, l := range col["links"].([]any) {
		l := l.(map[string]any)
		rels[l["rel"].(string)] = l["href"].(string)
	}
	if !strings.HasSuffix(rels[relQueryables], "/ogc/collections/clusters/queryables") || rels["queryables"] == "" {
		t.Errorf("collection links %v", rels)
	}
}

// TestOGCPart3Declared checks what clients look for before they filter: the
// conformance classes, and the OGC API's own definition with the filter
// parameters of the items path (GDAL reads the languages there).
func TestOGCPart3Declared(t *testing.T) { onStores(t, testOGCPart3Declared) }

func testOGCPart3Declared(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	conf := decode(t, do(t, s, http.MethodGet, "/ogc/conformance", "", nil))
	var classes []string
	for _, c := range conf["conformsTo"].([]any) {
		classes = append(classes, c.(string))
	}
	for _, c := range []string{"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter",
		"ogcapi-features-3/1.0/conf/queryables", "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/cql2-text",
		"cql2/1.0/conf/cql2-json", "cql2/1.0/conf/advanced-comparison-operators", "cql2/1.0/conf/basic-spatial-functions"} {
		if !slices.Contains(classes, "http://www.opengis.net/spec/"+c) {
			t.Errorf("conformance class %s not declared", c)
		}
	}
	landing := decode(t, do(t, s, http.MethodGet, "/ogc/", "", nil))
	desc := ""
	for _, l := range landing["links"].([]any) {
		if l := l.(map[string]any); l["rel"] == "service-desc" {
			desc = l["href"].(string)
		}
	}
	if desc != "http://example.com/ogc/api" {
		t.Fatalf("service-desc %q", desc)
	}
	rec := do(t, s, http.MethodGet, "/ogc/api", "", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentOpenAPI {
		t.Fatalf("/ogc/api: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		Servers []struct{ URL string }
		Paths   map[string]map[string]struct {
			Parameters []map[string]any
		}
		Components struct {
			Parameters map[string]struct {
				Name   string
				Schema struct{ Enum []string }
			}
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "http://example.com/ogc" {
		t.Errorf("servers %v", doc.Servers)
	}
	for p := range doc.Paths {
		if strings.HasPrefix(p, "/api/v1") || strings.HasPrefix(p, "/ogc") {
			t.Errorf("path %s outside the OGC API", p)
		}
	}
	langs := doc.Components.Parameters["filter-lang"].Schema.Enum
	refs := 0
	for _, p := range doc.Paths["/collections/{collectionId}/items"]["get"].Parameters {
		if ref, _ := p["$ref"].(string); strings.HasPrefix(ref, "#/components/parameters/filter") {
			refs++
		}
	}
	if refs != 3 || !slices.Contains(langs, "cql2-text") || !slices.Contains(langs, "cql2-json") || !slices.Contains(langs, "cql-text") {
		t.Errorf("items: %d filter parameters, languages %v", refs, langs)
	}
	if _, ok := doc.Paths["/collections/{collectionId}/queryables"]; !ok {
		t.Error("no queryables path")
	}
}
