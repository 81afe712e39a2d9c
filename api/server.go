package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/tiles"
)

// Config holds the HTTP server's settings.
type Config struct {
	// ReadHeaderTimeout bounds how long a client may take to send headers.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// API holds the settings of the JSON API, exports and OGC API (limits.go).
	API APIConfig
	// Basemap is what the web map draws under kume's layers (basemap.go).
	Basemap BasemapConfig
}

// DefaultConfig returns the server settings used when none are given.
func DefaultConfig() Config {
	return Config{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		API:               DefaultAPIConfig(),
	}
}

// Deps are the services the HTTP layer uses; cmd/kume wires concrete ones.
type Deps struct {
	Store kume.Store
	Web   fs.FS
	Log   *slog.Logger
	// Sectors searches the NACE taxonomy (nil: GET /sectors answers 501).
	Sectors SectorIndex
	// SectorKeys parses and expands the sector parameter of every route, with
	// the value chains in force (nil: New makes them from the shipped NACE
	// taxonomy and Store).
	SectorKeys *layer.Sectors
	// ValueChains validates the value chains an administrator edits.
	ValueChains ValueChainCatalog
	// Importer runs an upload through the same code as "kume import".
	Importer Importer
	// Analyzer starts and reports analysis runs.
	Analyzer Analyzer
	// Ranker scores regions, clusters or cells for a sector.
	Ranker Ranker
	// Tiles serves vector tiles and TileJSON (nil: /tiles answers 501).
	Tiles *tiles.Service
	// Basemap serves the offline basemap's tiles (nil: the map draws none).
	Basemap BasemapTiles
	// Health reports the store's database reachability for /readyz and the
	// metrics (nil: a store without a database to lose).
	Health func() StoreHealth
	// Emerging runs emerging hot spot analyses (nil: New makes one over Store;
	// give the tile service's, so that tiles and the API share its answers).
	Emerging *emerging.Engine
}

// Server is kume's HTTP handler and its dependencies.
type Server struct {
	cfg    Config
	store  kume.Store
	web    fs.FS
	log    *slog.Logger
	router chi.Router
	tiles  *tiles.Service
	// api is the state of the JSON API, exports and OGC API (limits.go).
	api *apiState
	// catalog holds what choosing a caller's analysis reads (view.go).
	catalog *catalog
}

// New returns a Server for the given dependencies.
func New(cfg Config, d Deps) *Server {
	if d.SectorKeys == nil && d.Store != nil {
		keys, err := layer.NewSectors(nil, d.Store)
		if err != nil && d.Log != nil {
			// Only a damaged binary fails here; routes that take a sector
			// then answer 501.
			d.Log.Error("sector keys", "err", err)
		}
		d.SectorKeys = keys
	}
	if d.Emerging == nil && d.Store != nil && d.SectorKeys != nil {
		// Only a nil store fails here, which the condition rules out.
		d.Emerging, _ = emerging.New(d.Store, d.SectorKeys, emerging.Config{})
	}
	s := &Server{cfg: cfg, store: d.Store, web: d.Web, log: d.Log, tiles: d.Tiles, catalog: &catalog{store: d.Store}}
	s.setupAPI(d)
	s.router = s.routes()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// routes builds the router. Each resource registers its routes in its own file.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(middleware.Recoverer)
	// HEAD answers as GET does, without the body, wherever GET is served
	// (a client checking a tile's cache headers with curl -I).
	r.Use(middleware.GetHead)
	r.Use(s.observe, s.recoverJSON, s.corsHandler(), s.authenticate, s.limitHeavy)
	r.NotFound(s.handleNotFound)
	r.MethodNotAllowed(s.handleMethodNotAllowed)
	s.mountAPI(r)
	s.mountOGC(r)
	s.mountMetrics(r)
	s.mountHealth(r)
	s.mountTiles(r)
	s.mountBasemap(r)
	s.mountWeb(r)
	return r
}

// HTTPServer returns an *http.Server for addr with the configured timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
	}
}

// Shutdown is a convenience for graceful shutdown with a deadline.
func Shutdown(srv *http.Server, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return srv.Shutdown(ctx)
}
