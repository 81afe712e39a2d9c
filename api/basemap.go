package api

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/basemap"
	"github.com/kume-geo/kume/tiles"
)

// Basemap kinds: what the web map draws under kume's layers.
const (
	// BasemapOffline is the embedded basemap (land, water, borders, place
	// names) served at /basemap/{z}/{x}/{y}.mvt; it needs no network.
	BasemapOffline = "offline"
	// BasemapStyle is a MapLibre style document at a URL; kume's layers are
	// added on top of it.
	BasemapStyle = "style"
	// BasemapRaster is a raster tile service given by a {z}/{x}/{y} URL template.
	BasemapRaster = "raster"
	// BasemapNone draws kume's layers on a plain background.
	BasemapNone = "none"
)

// BasemapConfig says which basemap the web map draws.
type BasemapConfig struct {
	// Kind is one of BasemapOffline (the zero value's meaning), BasemapStyle,
	// BasemapRaster or BasemapNone.
	Kind string `json:"kind"`
	// URL is the style document or the tile template of an external basemap.
	URL string `json:"url,omitempty"`
	// Attribution credits an external basemap's data (shown under the map).
	Attribution string `json:"attribution,omitempty"`
	// Origins are further origins (scheme://host[:port]) the page may load an
	// external style's tiles, glyphs and sprites from, besides URL's own.
	Origins []string `json:"-"`
}

// ParseBasemap reads a basemap setting: "offline" (or ""), "none", an http(s)
// URL of a MapLibre style document, or an http(s) raster tile template with
// {z}, {x} and {y}. The prefixes "style:" and "raster:" say which a URL is
// when its form does not.
func ParseBasemap(spec string) (BasemapConfig, error) {
	spec = strings.TrimSpace(spec)
	switch strings.ToLower(spec) {
	case "", BasemapOffline:
		return BasemapConfig{Kind: BasemapOffline}, nil
	case BasemapNone:
		return BasemapConfig{Kind: BasemapNone}, nil
	}
	kind := ""
	if rest, ok := strings.CutPrefix(spec, "style:"); ok {
		kind, spec = BasemapStyle, rest
	} else if rest, ok := strings.CutPrefix(spec, "raster:"); ok {
		kind, spec = BasemapRaster, rest
	}
	u, err := url.Parse(spec)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(spec) > 2048 {
		return BasemapConfig{}, fmt.Errorf("basemap %q: want offline, none, or an http(s) URL of a style document or of {z}/{x}/{y} tiles", spec)
	}
	template := strings.Contains(spec, "{z}") && strings.Contains(spec, "{x}") && strings.Contains(spec, "{y}")
	switch {
	case kind == "" && template:
		kind = BasemapRaster
	case kind == "":
		kind = BasemapStyle
	case kind == BasemapRaster && !template:
		return BasemapConfig{}, fmt.Errorf("basemap %q: a raster tile URL needs {z}, {x} and {y}", spec)
	}
	return BasemapConfig{Kind: kind, URL: spec}, nil
}

// ParseOrigin checks an origin (scheme://host[:port]) an external basemap
// loads resources from: a host name or IP address (hostRE, links.go) with an
// optional port, nothing a Content-Security-Policy would read as another
// source or directive.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || !hostRE.MatchString(u.Host) {
		return "", fmt.Errorf("origin %q: want scheme://host[:port]", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// BasemapTiles cuts the offline basemap into vector tiles.
type BasemapTiles interface {
	// Tile returns the gzip-compressed MVT of z/x/y, nil when it is empty.
	Tile(z, x, y int) ([]byte, error)
	// MaxZoom is the deepest zoom served.
	MaxZoom() int
	// Version identifies the basemap's data (entity tags).
	Version() string
	// NearestPlace names the populated place nearest to a point, within maxKm.
	NearestPlace(lon, lat, maxKm float64) (basemap.Place, bool)
}

// basemapCacheControl lets browsers keep basemap tiles for a day: they change
// only with the binary.
const basemapCacheControl = "public, max-age=86400"

func (s *Server) mountBasemap(r chi.Router) {
	r.Get("/basemap/{z}/{x}/{y}", s.handleBasemapTile)
}

// handleBasemapTile serves one tile of the offline basemap: 200 with the MVT
// (gzip-compressed when the client accepts it), 204 for an empty tile, 304
// when If-None-Match holds its entity tag.
func (s *Server) handleBasemapTile(w http.ResponseWriter, r *http.Request) {
	bm := s.api.deps.Basemap
	if bm == nil || s.cfg.Basemap.Kind != BasemapOffline && s.cfg.Basemap.Kind != "" {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "this server draws no offline basemap"))
		return
	}
	y, ext, _ := strings.Cut(chi.URLParam(r, "y"), ".")
	if ext != "mvt" && ext != "pbf" {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "basemap tile URLs end in .mvt or .pbf"))
		return
	}
	if r.URL.RawQuery != "" {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "basemap tiles take no parameters"))
		return
	}
	id, err := tiles.ParseTileID(chi.URLParam(r, "z"), chi.URLParam(r, "x"), y)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if int(id.Z) > bm.MaxZoom() {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "the basemap has zooms 0–%d; deeper zooms over-zoom them", bm.MaxZoom()))
		return
	}
	data, err := bm.Tile(int(id.Z), int(id.X), int(id.Y))
	if err != nil {
		s.writeError(w, r, fmt.Errorf("basemap tile %s: %w", id, err))
		return
	}
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", basemapCacheControl)
	if data == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	tag := `"bm-` + bm.Version() + "-" + id.String() + `"`
	gzTag := `"bm-` + bm.Version() + "-" + id.String() + `-gz"`
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		h.Set("ETag", gzTag)
	} else {
		h.Set("ETag", tag)
	}
	if etagMatch(r.Header.Get("If-None-Match"), tag, gzTag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := data
	if gz {
		h.Set("Content-Encoding", "gzip")
	} else if body, err = gunzip(data); err != nil {
		s.writeError(w, r, fmt.Errorf("basemap tile %s: %w", id, err))
		return
	}
	h.Set("Content-Type", mvtContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// basemapClient is the basemap as the web application sees it.
type basemapClient struct {
	Kind        string `json:"kind"`
	URL         string `json:"url,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	// MaxZoom is the offline basemap's deepest zoom.
	MaxZoom int `json:"maxzoom,omitempty"`
}

// basemapForClient describes the configured basemap to the web application;
// an offline basemap without tiles to serve falls back to none.
func (s *Server) basemapForClient() basemapClient {
	c := s.cfg.Basemap
	switch c.Kind {
	case BasemapStyle, BasemapRaster, BasemapNone:
		return basemapClient{Kind: c.Kind, URL: c.URL, Attribution: c.Attribution}
	}
	if s.api.deps.Basemap == nil {
		return basemapClient{Kind: BasemapNone}
	}
	return basemapClient{Kind: BasemapOffline, Attribution: c.Attribution, MaxZoom: s.api.deps.Basemap.MaxZoom()}
}

// contentSecurityPolicy is the web application's policy: everything from the
// server itself, plus an external basemap's origins when one is configured.
func (s *Server) contentSecurityPolicy() string {
	extra := ""
	if c := s.cfg.Basemap; (c.Kind == BasemapStyle || c.Kind == BasemapRaster) && c.URL != "" {
		seen := map[string]bool{}
		add := func(o string) {
			if o != "" && !seen[o] {
				seen[o] = true
				extra += " " + o
			}
		}
		if u, err := url.Parse(c.URL); err == nil {
			add(u.Scheme + "://" + u.Host)
		}
		for _, o := range c.Origins {
			if v, err := ParseOrigin(o); err == nil {
				add(v)
			}
		}
	}
	return "default-src 'self'; img-src 'self' data: blob:" + extra + "; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'" + extra + "; font-src 'self' data:" + extra
}
