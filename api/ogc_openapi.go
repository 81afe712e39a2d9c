package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ogcAPIDoc returns the OpenAPI document of the OGC API alone, as its landing
// page's service-desc link promises: the /ogc paths of the server's document,
// relative to the server URL base/ogc, with the same components. Clients
// that look up /collections/{collectionId}/items in it (GDAL's OAPIF driver
// does, to learn the filter languages) find it there.
func ogcAPIDoc(base string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	all, _ := doc["paths"].(map[string]any)
	paths := map[string]any{}
	for p, v := range all {
		if rest, ok := strings.CutPrefix(p, "/ogc/"); ok {
			paths["/"+rest] = v
		}
	}
	doc["paths"] = paths
	doc["servers"] = []map[string]string{{"url": base + "/ogc"}}
	if info, ok := doc["info"].(map[string]any); ok {
		info["title"] = "kume – OGC API Features"
		info["description"] = "Firms, supporting institutions, sector hot spots and cluster footprints " +
			"as OGC API – Features (Part 1 Core, GeoJSON; Part 3 Filtering with CQL2). " +
			"The whole HTTP API is described at /api/openapi.json."
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return b, nil
}

// handleOGCAPI serves the OGC API's own OpenAPI document.
func (s *Server) handleOGCAPI(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r, "f"); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := ogcAPIDoc(s.baseURL(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentOpenAPI)
	_, _ = w.Write(b)
}
