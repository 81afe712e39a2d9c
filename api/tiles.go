package api

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/tiles"
)

// mvtContentType is the media type of a Mapbox Vector Tile.
const mvtContentType = "application/vnd.mapbox-vector-tile"

// mountTiles serves vector tiles at /tiles/{layers}/{z}/{x}/{y}.mvt (or .pbf)
// and TileJSON documents at /tiles/{layers}.json, where {layers} is one layer
// or a comma-separated list of distinct layers.
func (s *Server) mountTiles(r chi.Router) {
	r.Get("/tiles/{layers}/{z}/{x}/{y}", s.handleTile)
	r.Get("/tiles/{layers}", s.handleTileJSON)
}

// tileQuery parses the layer list and query of a tile or TileJSON request.
func (s *Server) tileQuery(r *http.Request, layerList string) ([]string, tiles.Params, error) {
	if s.tiles == nil {
		return nil, tiles.Params{}, kume.Errorf(kume.ENOTSUPPORTED, "vector tiles are not configured")
	}
	layers, err := tiles.ParseLayers(layerList)
	if err != nil {
		return nil, tiles.Params{}, err
	}
	if len(r.URL.RawQuery) > 1024 {
		return nil, tiles.Params{}, kume.Errorf(kume.EINVALID, "query too long")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, tiles.Params{}, kume.Errorf(kume.EINVALID, "malformed query string")
	}
	p, err := s.tiles.ParseParams(layers, q)
	return layers, p, err
}

// handleTile serves one vector tile: 200 with the MVT (gzip-compressed when the
// client accepts it), 204 when the tile is empty, 304 when If-None-Match holds
// the tile's entity tag.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	ySeg := chi.URLParam(r, "y")
	y, ext, _ := strings.Cut(ySeg, ".")
	if ext != "mvt" && ext != "pbf" {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "tile URLs end in .mvt or .pbf"))
		return
	}
	layers, p, err := s.tileQuery(r, chi.URLParam(r, "layers"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := tiles.ParseTileID(chi.URLParam(r, "z"), chi.URLParam(r, "x"), y)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.tiles.Tile(r.Context(), tiles.Request{Layers: layers, Tile: id, Params: p})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", s.tiles.CacheControl())
	if len(t.Data) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, tag := t.Data, t.ETag
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		body, tag = t.Gzip(), t.GzipETag()
	}
	h.Set("ETag", tag)
	if etagMatch(r.Header.Get("If-None-Match"), t.ETag, t.GzipETag()) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", mvtContentType)
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// handleTileJSON serves the TileJSON 3.0.0 document of /tiles/{layers}.json.
func (s *Server) handleTileJSON(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(chi.URLParam(r, "layers"), ".json")
	if !ok {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "TileJSON documents are at /tiles/{layers}.json"))
		return
	}
	layers, p, err := s.tileQuery(r, name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc := s.tiles.TileJSON(layers, p, baseURL(r))
	ctx, cancel := s.queryContext(r)
	defer cancel()
	var b []float64
	if analysedOnly(layers) {
		// Hexagons and footprints exist only where the analysed cells are;
		// a map client requests no tile outside a source's bounds, so the
		// other layers (regions, points) keep the configured extent.
		var err error
		if b, err = s.dataBounds(ctx); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if b != nil {
		// Announce where the data is, not the whole world.
		doc.Bounds = [4]float64{b[0], b[1], b[2], b[3]}
		doc.Center = [3]float64{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, float64(fitZoom(b, doc.MinZoom, doc.MaxZoom))}
	}
	w.Header().Set("Cache-Control", s.tiles.CacheControl())
	writeJSON(w, http.StatusOK, doc)
}

// analysedOnly reports whether every layer is drawn from the analysed cells
// (the emerging layer's cells lie around the firms, as they do).
func analysedOnly(layers []string) bool {
	for _, l := range layers {
		if l != tiles.LayerHexagons && l != tiles.LayerClusters && l != tiles.LayerEmerging {
			return false
		}
	}
	return len(layers) > 0
}

// fitZoom returns the zoom at which the box [w, s, e, n] fills about one
// 512-pixel tile, clamped to [minZoom, maxZoom].
func fitZoom(b []float64, minZoom, maxZoom int) int {
	width := max(b[2]-b[0], (b[3]-b[1])*1.5, 1e-6)
	return max(minZoom, min(maxZoom, int(math.Floor(math.Log2(360/width)))))
}

// baseURL returns the origin the client used, from the request's own scheme
// and Host header.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip (by name or
// through "*") with a non-zero quality.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		if name == "*" {
			star = q > 0
			continue
		}
		return q > 0
	}
	return star
}

// etagMatch reports whether an If-None-Match header names one of the tags (or
// is "*"). Comparison is weak, as RFC 9110 asks for If-None-Match.
func etagMatch(header string, tags ...string) bool {
	if header == "" {
		return false
	}
	for _, part := range strings.Split(header, ",") {
		c := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if c == "*" {
			return true
		}
		for _, t := range tags {
			if t != "" && c == t {
				return true
			}
		}
	}
	return false
}
