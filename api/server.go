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
)

// Config holds the HTTP server's settings.
type Config struct {
	// ReadHeaderTimeout bounds how long a client may take to send headers.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
}

// DefaultConfig returns the server settings used when none are given.
func DefaultConfig() Config {
	return Config{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
}

// Deps are the services the HTTP layer uses; cmd/kume wires concrete ones.
type Deps struct {
	Store kume.Store
	Web   fs.FS
	Log   *slog.Logger
}

// Server is kume's HTTP handler and its dependencies.
type Server struct {
	cfg    Config
	store  kume.Store
	web    fs.FS
	log    *slog.Logger
	router chi.Router
}

// New returns a Server for the given dependencies.
func New(cfg Config, d Deps) *Server {
	s := &Server{cfg: cfg, store: d.Store, web: d.Web, log: d.Log}
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
	s.mountHealth(r)
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
