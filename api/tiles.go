package api

import (
	"errors"
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
// and at /tiles/v/{version}/{layers}/{z}/{x}/{y}.mvt, and TileJSON documents
// at /tiles/{layers}.json, where {layers} is one layer or a comma-separated
// list of distinct layers.
func (s *Server) mountTiles(r chi.Router) {
	r.Get("/tiles/{layers}/{z}/{x}/{y}", s.handleTile)
	r.Get("/tiles/v/{version}/{layers}/{z}/{x}/{y}", s.handleVersionedTile)
	r.Get("/tiles/{layers}", s.handleTileJSON)
}

// immutableCacheControl is the Cache-Control of a tile whose URL carries its
// data version: the URL's content never changes.
const immutableCacheControl = "public, max-age=31536000, immutable"

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

// handleTile serves one vector tile of the current data: 200 with the MVT
// (gzip-compressed when the client accepts it), 204 when the tile is empty,
// 304 when If-None-Match holds the tile's entity tag; cached briefly.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	s.serveTile(w, r, false)
}

// handleVersionedTile serves one vector tile at the data version in its URL,
// as handleTile does, cached for good. A version that is not the current one
// is a 404 that names the current one (and links its tile, rel
// "latest-version"), never a redirect: the URL promises that version's tile,
// and a map drawn from it must not mix in tiles of another.
func (s *Server) handleVersionedTile(w http.ResponseWriter, r *http.Request) {
	s.serveTile(w, r, true)
}

// serveTile serves a tile of the current data or, when versioned, of the
// version in the URL.
func (s *Server) serveTile(w http.ResponseWriter, r *http.Request, versioned bool) {
	h := w.Header()
	if versioned {
		// No error of a versioned URL may be cached in its place.
		h.Set("Cache-Control", "no-store")
	}
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
	req := tiles.Request{Layers: layers, Tile: id, Params: p, Access: callerAccess(r)}
	if req.Analysis, err = s.tileAnalysis(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var t tiles.Tile
	if versioned {
		var version int64
		if version, err = tiles.ParseVersion(chi.URLParam(r, "version")); err == nil {
			t, err = s.tiles.TileAt(r.Context(), req, version)
		}
		var ve *tiles.VersionError
		if errors.As(err, &ve) {
			h.Set("Link", "<"+latestVersionURL(r, ve.Current)+`>; rel="latest-version"`)
		}
	} else {
		t, err = s.tiles.Tile(r.Context(), req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.tileCaching(w, r, versioned)
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

// latestVersionURL returns the URL of the tile r asks for at version v.
func latestVersionURL(r *http.Request, v int64) string {
	u := baseURL(r) + "/tiles/v/" + strconv.FormatInt(v, 10) + "/" + chi.URLParam(r, "layers") + "/" +
		chi.URLParam(r, "z") + "/" + chi.URLParam(r, "x") + "/" + chi.URLParam(r, "y")
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return u
}

// handleTileJSON serves the TileJSON 3.0.0 document of /tiles/{layers}.json.
// Its tile URLs carry the current data version of the layers, so it is
// revalidated on every use.
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
	ctx, cancel := s.queryContext(r)
	defer cancel()
	run, err := s.tileAnalysis(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	version, err := s.tiles.VersionOf(ctx, tiles.Request{Layers: layers, Analysis: run})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc := s.tiles.TileJSONAt(layers, p, baseURL(r), version)
	var b []float64
	if analysedOnly(layers) {
		// Hexagons and footprints exist only where the analysed cells are;
		// a map client requests no tile outside a source's bounds, so the
		// other layers (regions, points) keep the configured extent.
		var err error
		if b, err = dataBounds(ctx, s.view(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if b != nil {
		// Announce where the data is, not the whole world.
		doc.Bounds = [4]float64{b[0], b[1], b[2], b[3]}
		doc.Center = [3]float64{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, float64(fitZoom(b, doc.MinZoom, doc.MaxZoom))}
	}
	w.Header().Set("Vary", tileVary)
	w.Header().Set("Cache-Control", tileJSONCacheControl(r))
	writeJSON(w, http.StatusOK, doc)
}

// tileAnalysis returns the analysis the caller's tiles draw: the one it may
// read (kume.ChooseAnalysis), or one of version 0 (no hexagons, no clusters,
// regions without statistics) when there is none.
func (s *Server) tileAnalysis(r *http.Request) (*kume.AnalysisRun, error) {
	ctx, cancel := s.queryContext(r)
	defer cancel()
	run, err := s.view(r).Analysis(ctx)
	if err != nil || run == nil {
		return &kume.AnalysisRun{}, err
	}
	return run, nil
}

// tileCaching sets the caching headers of a tile answer (versioned: of a
// URL that carries its data version). What a caller with a key gets may hold
// what others may not read (a private analysis, granted datasets' points):
// only the caller's own cache may keep it, and shared caches keep answers
// apart by the credentials sent. A public versioned tile never changes and
// is kept for good.
func (s *Server) tileCaching(w http.ResponseWriter, r *http.Request, versioned bool) {
	h := w.Header()
	h.Set("Vary", tileVary)
	switch {
	case !IsPublic(r):
		h.Set("Cache-Control", "private, no-cache")
	case versioned:
		h.Set("Cache-Control", immutableCacheControl)
	default:
		h.Set("Cache-Control", s.tiles.CacheControl())
	}
}

// tileVary keeps the answers of tiles and TileJSON apart in shared caches by
// the encoding and the credentials sent.
const tileVary = "Accept-Encoding, Authorization, X-API-Key"

// tileJSONCacheControl is the Cache-Control of a TileJSON document: its tile
// URLs carry the current data version, so it is revalidated on every use,
// and one made for a key stays in that caller's cache.
func tileJSONCacheControl(r *http.Request) string {
	if IsPublic(r) {
		return "no-cache"
	}
	return "private, no-cache"
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
