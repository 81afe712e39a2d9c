package api

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// OGC API – Features Part 1 (Core, GeoJSON) and Part 3 (Filtering, with CQL2)
// under /ogc.

const (
	contentJSON    = "application/json"
	contentOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	crs84          = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

// ogcConformance lists the conformance classes kume implements.
func ogcConformance() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
		"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
		"http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
		"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	}
}

// ogcCollectionInfo describes a layer as an OGC collection.
func ogcCollectionInfo(layer string) (title, description string) {
	switch layer {
	case export.LayerEstablishments:
		return "Establishments", "Firms and supporting institutions as points."
	case export.LayerInstitutions:
		return "Institutions", "Supporting institutions (universities, chambers, agencies, sites, ...) as points."
	case export.LayerHexagons:
		return "Hexagons", "H3 cell statistics: firms, employees, LQ and Gi* hot spots (res and sector parameters, default res 7, all sectors)."
	case export.LayerClusters:
		return "Clusters", "Cluster footprints: connected significant hot cells of one sector."
	case export.LayerRegions:
		return "Regions", "Administrative and statistical regions with their sector statistics."
	}
	return layer, ""
}

func (s *Server) mountOGC(r chi.Router) {
	r.Route("/ogc", func(r chi.Router) {
		r.Use(s.need(kume.ScopeRead))
		r.Get("/", s.handleOGCLanding)
		r.Get("/conformance", s.handleOGCConformance)
		r.Get("/collections", s.handleOGCCollections)
		r.Get("/collections/{collectionId}", s.handleOGCCollection)
		r.Get("/collections/{collectionId}/queryables", s.handleOGCQueryables)
		r.Get("/api", s.handleOGCAPI)
		r.Get("/collections/{collectionId}/items", s.handleOGCItems)
		r.Get("/collections/{collectionId}/items/{featureId}", s.handleOGCItem)
	})
}

// negotiate checks the f parameter and the Accept header: kume's OGC API
// speaks JSON only. It reports false after answering 400 or 406.
func (s *Server) negotiate(w http.ResponseWriter, r *http.Request, p params) bool {
	switch p.v.Get("f") {
	case "json", "geojson", "":
	default:
		s.writeError(w, r, invalid("f", "only json is offered"))
		return false
	}
	if p.has("f") {
		return true
	}
	acc := r.Header.Get("Accept")
	if acc == "" || strings.Contains(acc, "json") || strings.Contains(acc, "*/*") ||
		strings.Contains(acc, "application/*") || strings.Contains(acc, "text/html") {
		return true
	}
	writeJSON(w, http.StatusNotAcceptable, errorBody{Code: "not_acceptable", Message: "only JSON is offered (f=json)"})
	return false
}

// ogcParams parses the query of a metadata resource (only f is accepted).
func (s *Server) ogcParams(w http.ResponseWriter, r *http.Request) bool {
	p, err := parseParams(r, "f")
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	return s.negotiate(w, r, p)
}

func (s *Server) handleOGCLanding(w http.ResponseWriter, r *http.Request) {
	if !s.ogcParams(w, r) {
		return
	}
	base := s.baseURL(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       "kume",
		"description": "Firms, supporting institutions, sector hot spots and cluster footprints.",
		"links": []Link{
			{Href: base + "/ogc/?f=json", Rel: "self", Type: contentJSON, Title: "This document"},
			{Href: base + "/ogc/api", Rel: "service-desc", Type: contentOpenAPI, Title: "The definition of this OGC API"},
			{Href: base + "/api/docs", Rel: "service-doc", Type: "text/html", Title: "The API documentation"},
			{Href: base + "/ogc/conformance?f=json", Rel: "conformance", Type: contentJSON, Title: "Conformance classes"},
			{Href: base + "/ogc/collections?f=json", Rel: "data", Type: contentJSON, Title: "Collections"},
		},
	})
}

func (s *Server) handleOGCConformance(w http.ResponseWriter, r *http.Request) {
	if !s.ogcParams(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"conformsTo": ogcConformance()})
}

func (s *Server) ogcCollection(base, layer string, bbox []float64) map[string]any {
	title, desc := ogcCollectionInfo(layer)
	href := base + "/ogc/collections/" + layer
	return map[string]any{
		"id":          layer,
		"title":       title,
		"description": desc,
		"itemType":    "feature",
		"crs":         []string{crs84},
		"extent": map[string]any{
			"spatial": map[string]any{"bbox": [][]float64{bbox}, "crs": crs84},
		},
		"links": []Link{
			{Href: href + "?f=json", Rel: "self", Type: contentJSON, Title: title},
			{Href: href + "/items?f=json", Rel: "items", Type: contentGeoJSON, Title: title + " (GeoJSON)"},
			{Href: href + "/queryables", Rel: relQueryables, Type: contentSchema, Title: "Queryables of " + title},
			// the relation of the Part 3 drafts, which GDAL's OAPIF driver follows
			{Href: href + "/queryables?f=json", Rel: "queryables", Type: contentJSON, Title: "Queryables of " + title},
		},
	}
}

func (s *Server) handleOGCCollections(w http.ResponseWriter, r *http.Request) {
	if !s.ogcParams(w, r) {
		return
	}
	ext, ok := s.requestExtents(w, r, export.Layers()...)
	if !ok {
		return
	}
	base := s.baseURL(r)
	cols := make([]map[string]any, 0, len(export.Layers()))
	for _, l := range export.Layers() {
		cols = append(cols, s.ogcCollection(base, l, ext.of(l)))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"links":       []Link{{Href: base + "/ogc/collections?f=json", Rel: "self", Type: contentJSON, Title: "Collections"}},
		"collections": cols,
	})
}

// ogcLayer returns the validated collection id.
func ogcLayer(r *http.Request) (string, error) {
	id := chi.URLParam(r, "collectionId")
	if !export.ValidLayer(id) {
		return "", kume.Errorf(kume.ENOTFOUND, "no such collection")
	}
	return id, nil
}

func (s *Server) handleOGCCollection(w http.ResponseWriter, r *http.Request) {
	layer, err := ogcLayer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.ogcParams(w, r) {
		return
	}
	ext, ok := s.requestExtents(w, r, layer)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.ogcCollection(s.baseURL(r), layer, ext.of(layer)))
}
