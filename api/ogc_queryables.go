package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/kume-geo/kume/cql2"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/layer"
)

// OGC API – Features Part 3: the queryables of each collection.

const (
	contentSchema = "application/schema+json"
	// relQueryables is the link relation of a collection's queryables.
	relQueryables = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	// geometryQueryable names the geometry in filters.
	geometryQueryable = "geometry"
)

// layerProperties returns the property names of a layer's features, in the
// order features carry them. It is the one place the queryables read the
// per-layer property list from.
func layerProperties(layer string) []string { return export.Columns(layer) }

// propertyType returns the type of a feature property, from the layer's
// property list (package layer); the establishments' founding and closing
// days, written as YYYY-MM-DD strings, are dates.
func propertyType(lyr, name string) cql2.Type {
	if export.PointLayer(lyr) && (name == "founded" || name == "closed") {
		return cql2.TypeDate
	}
	for _, p := range layer.Properties(lyr, layer.Feature) {
		if p.Name != name {
			continue
		}
		switch p.Type {
		case layer.Integer:
			return cql2.TypeInteger
		case layer.Number:
			return cql2.TypeNumber
		case layer.Boolean:
			return cql2.TypeBoolean
		case layer.String:
			return cql2.TypeString
		}
	}
	return cql2.TypeAny
}

// geometryFormat is the JSON Schema format of a layer's geometry.
func geometryFormat(layer string) string {
	switch layer {
	case export.LayerEstablishments, export.LayerInstitutions:
		return "geometry-point"
	case export.LayerHexagons:
		return "geometry-polygon"
	}
	return "geometry-multipolygon"
}

// ogcQueryables returns the queryables of a layer: its feature properties
// and its geometry.
func ogcQueryables(layer string) cql2.Queryables {
	q := cql2.Queryables{geometryQueryable: cql2.TypeGeometry}
	for _, p := range layerProperties(layer) {
		q[p] = propertyType(layer, p)
	}
	return q
}

// queryablesSchema describes a layer's queryables as the JSON Schema of OGC
// API – Features Part 3. The member "queryables" repeats the names in the
// form of the Part 3 drafts, which GDAL's OAPIF driver (3.x) reads.
func queryablesSchema(layer, id string) map[string]any {
	props := map[string]any{
		geometryQueryable: map[string]any{"title": "Geometry", "format": geometryFormat(layer), "x-ogc-role": "primary-geometry"},
	}
	legacy := []map[string]string{{"id": geometryQueryable}}
	for _, name := range layerProperties(layer) {
		p := map[string]any{"title": name}
		switch t := propertyType(layer, name); t {
		case cql2.TypeDate:
			p["type"], p["format"] = "string", "date"
		case cql2.TypeAny:
		default:
			p["type"] = t.String()
		}
		props[name] = p
		legacy = append(legacy, map[string]string{"id": name})
	}
	title, _ := ogcCollectionInfo(layer)
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  id,
		"type":                 "object",
		"title":                title,
		"properties":           props,
		"additionalProperties": false,
		"queryables":           legacy,
	}
}

// handleOGCQueryables serves /collections/{collectionId}/queryables, as
// application/schema+json unless the client asks for plain JSON only.
func (s *Server) handleOGCQueryables(w http.ResponseWriter, r *http.Request) {
	layer, err := ogcLayer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.ogcParams(w, r) {
		return
	}
	ct := contentSchema
	if acc := r.Header.Get("Accept"); acc != "" && !strings.Contains(acc, contentSchema) &&
		!strings.Contains(acc, "*/*") && strings.Contains(acc, contentJSON) {
		ct = contentJSON
	}
	id := s.baseURL(r) + "/ogc/collections/" + layer + "/queryables"
	w.Header().Set("Content-Type", ct)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(queryablesSchema(layer, id)) // a client gone away is no error to report
}
