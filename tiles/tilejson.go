package tiles

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/layer"
)

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	// DataVersion is the data version the tiles are made from, when the
	// URLs carry it (see TileJSONAt).
	DataVersion *int64 `json:"data_version,omitempty"`
}

// VectorLayer describes one layer of a TileJSON document: its fields map each
// property name to its type ("String", "Number" or "Boolean").
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// TileJSON returns the document of a layer list (see ParseLayers) with the
// given parameters. baseURL is the server's external origin and prefix, such
// as "https://maps.example.org"; the tile URL template is
// baseURL/tiles/{layers}/{z}/{x}/{y}.mvt with the parameters in canonical form.
func (s *Service) TileJSON(layers []string, p Params, baseURL string) TileJSON {
	return s.tileJSON(layers, p, baseURL, "/tiles/"+strings.Join(layers, ",")+"/{z}/{x}/{y}.mvt")
}

// tileJSON returns the document of a layer list whose tiles are at the path
// template under baseURL.
func (s *Service) tileJSON(layers []string, p Params, baseURL, path string) TileJSON {
	zr := s.Zooms(layers)
	q := url.Values{}
	if p.Sector != "" {
		q.Set(paramSector, p.Sector)
	}
	if p.HasRes {
		q.Set(paramRes, strconv.Itoa(p.Res))
	}
	if p.Type != "" {
		q.Set(paramType, string(p.Type))
	}
	if p.Level != "" {
		q.Set(paramLevel, p.Level)
	}
	if p.At != "" {
		q.Set(paramAt, p.At)
	}
	if p.Emerging != (emerging.Options{}) {
		for k, v := range p.Emerging.Values() {
			q[k] = v
		}
	}
	tmpl := strings.TrimSuffix(baseURL, "/") + path
	if len(q) > 0 {
		tmpl += "?" + q.Encode()
	}
	b := s.cfg.Bounds
	tj := TileJSON{
		TileJSON:    "3.0.0",
		Name:        "kume " + strings.Join(layers, ","),
		Description: "kume cluster map: " + strings.Join(layers, ", "),
		Attribution: s.cfg.Attribution,
		Scheme:      "xyz",
		Tiles:       []string{tmpl},
		MinZoom:     zr.Min,
		MaxZoom:     zr.Max,
		Bounds:      [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Center:      [3]float64{b.Center()[0], b.Center()[1], float64(min(zr.Max, zr.Min+3))},
	}
	for _, name := range layerNames() {
		for _, l := range layers {
			if l == name {
				lz := s.cfg.Zooms[name]
				desc, fields := layerDoc(name)
				tj.VectorLayers = append(tj.VectorLayers, VectorLayer{ID: name, Description: desc,
					MinZoom: lz.Min, MaxZoom: lz.Max, Fields: fields})
			}
		}
	}
	return tj
}

// layerDoc returns a layer's description and the TileJSON types of its tile
// properties, from the layer's definition (package layer).
func layerDoc(name string) (string, map[string]string) {
	fields := map[string]string{}
	var withheld []string
	for _, p := range layer.Properties(name, layer.Tile) {
		switch p.Type {
		case layer.String:
			fields[p.Name] = "String"
		case layer.Boolean:
			fields[p.Name] = "Boolean"
		default:
			fields[p.Name] = "Number"
		}
		if !p.Identity {
			withheld = append(withheld, p.Name)
		}
	}
	desc := layer.Describe(name)
	if name == LayerHexagons || name == LayerClusters || name == LayerRegions {
		desc += "; " + strings.Join(withheld, ", ") + " are left out where suppressed is true (disclosure control)"
	}
	if name == LayerEmerging {
		desc += ", computed on demand for the parameters of the tile URL; the pattern and trend are public, the counts are not in tiles"
	}
	return desc, fields
}
