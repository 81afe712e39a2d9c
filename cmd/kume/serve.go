package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/api"
	"github.com/kume-geo/kume/basemap"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/web"
)

// serveConfig is the resolved configuration of "kume serve".
type serveConfig struct {
	Addr   string        `json:"addr"`
	Store  storeConfig   `json:"-"`
	Data   []string      `json:"data,omitempty"`
	NoDemo bool          `json:"no_demo"`
	Drain  time.Duration `json:"drain"`
	// TileCacheMB bounds the tile cache in MiB (0 = default, negative = off).
	TileCacheMB int64 `json:"tile_cache_mb"`
	// RatePerIP overrides the per-IP request rate per minute (0 = default,
	// negative = no limit).
	RatePerIP int `json:"rate_per_ip"`
	// TileEncoder encodes the regions, clusters and point layers: "go" (the
	// tile service) or "postgis" (ST_AsMVT in the database, with --db only).
	TileEncoder string `json:"tile_encoder"`
	// StoreDescription is Store described with secrets masked (for --print-config).
	StoreDescription string `json:"store"`
	// JobRetention is how long finished jobs are kept.
	JobRetention time.Duration `json:"job_retention"`
	// Basemap is what the web map draws under the data (--basemap).
	Basemap api.BasemapConfig `json:"basemap"`
	// MetricsAddr, when set, serves /metrics without a key on a listen
	// address of its own; the main address serves them to admin keys only.
	MetricsAddr string `json:"metrics_addr,omitempty"`
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runServe(ctx context.Context, env *Env, args []string) error {
	var cfg serveConfig
	var printConfig bool
	fs := newFlagSet(env, "serve", "[--addr :8080] [--db URL [--db-replica URL]...] [--store DIR] [--data FILE]... [--no-demo] [--tile-encoder go|postgis] [--basemap offline|none|URL] [--print-config]")
	fs.StringVar(&cfg.Addr, "addr", envOr(env, "KUME_ADDR", ":8080"), "address to listen on (env KUME_ADDR)")
	addStoreFlags(fs, env, &cfg.Store)
	addReplicaFlags(fs, env, &cfg.Store)
	fs.Var((*stringList)(&cfg.Data), "data", "a firm register to import into the embedded store at start (repeatable)")
	fs.BoolVar(&cfg.NoDemo, "no-demo", envBool(env, "KUME_NO_DEMO"), "do not load the bundled demo data into an empty embedded store (env KUME_NO_DEMO)")
	fs.DurationVar(&cfg.Drain, "drain", 15*time.Second, "how long shutdown waits for requests in flight")
	fs.Int64Var(&cfg.TileCacheMB, "tile-cache-mb", 0, "tile cache size in MiB (0 = default, negative = off)")
	fs.IntVar(&cfg.RatePerIP, "rate-per-ip", 0, "requests per minute per client IP without a key (0 = default, negative = no limit)")
	fs.StringVar(&cfg.TileEncoder, "tile-encoder", envOr(env, "KUME_TILE_ENCODER", tileEncoderGo),
		"encoder of the regions, clusters, establishments and institutions tiles: go, or postgis (ST_AsMVT, needs --db; hexagons stay go) (env KUME_TILE_ENCODER)")
	fs.DurationVar(&cfg.JobRetention, "job-retention", api.DefaultJobRetention, "how long finished import and analysis jobs are kept")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", envOr(env, "KUME_METRICS_ADDR", ""),
		"also serve /metrics without a key on this address, e.g. 127.0.0.1:9090 (on --addr it needs an admin key) (env KUME_METRICS_ADDR)")
	fs.BoolVar(&printConfig, "print-config", false, "print the resolved configuration (secrets masked) and exit")
	basemapSpec := fs.String("basemap", envOr(env, "KUME_BASEMAP", api.BasemapOffline),
		"basemap under the data: offline (built in, no network), none, a MapLibre style URL, or a raster tile URL with {z}/{x}/{y} (env KUME_BASEMAP)")
	fs.StringVar(&cfg.Basemap.Attribution, "basemap-attribution", env.Getenv("KUME_BASEMAP_ATTRIBUTION"), "credit line of an external basemap (env KUME_BASEMAP_ATTRIBUTION)")
	fs.Var((*stringList)(&cfg.Basemap.Origins), "basemap-origin", "a further origin an external basemap style loads tiles, glyphs or sprites from (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.parseBasemap(*basemapSpec); err != nil {
		return err
	}
	cfg.StoreDescription = cfg.Store.describe()
	if err := cfg.Store.checkReplicas(); err != nil {
		return err
	}
	if err := checkTileEncoder(cfg.TileEncoder, cfg.Store); err != nil {
		return err
	}
	if printConfig {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg)
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	cfg.Store.Log = log
	srv := &server{cfg: cfg, log: log}
	if err := srv.open(ctx); err != nil {
		return err
	}
	defer srv.close()
	return srv.serve(ctx)
}

// server is a running "kume serve": the store, the analysis runner, the HTTP
// server and its listener.
type server struct {
	cfg    serveConfig
	log    *slog.Logger
	store  kume.Store
	runner *analysis.Runner
	http   *http.Server
	ln     net.Listener
	// metrics and metricsLn serve /metrics on --metrics-addr (nil without).
	metrics   *http.Server
	metricsLn net.Listener
}

// open opens the store, loads start-up data and binds the listener, so that the
// address is known (and connectable) when it returns. The first analysis runs
// in the background once serve starts.
func (s *server) open(ctx context.Context) (err error) {
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s.cfg.Store.Log = s.log
	st, err := s.cfg.Store.openOwn(octx)
	if err != nil {
		return err
	}
	s.store = st
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	s.log.Info("store open", "store", s.cfg.StoreDescription)
	tax, err := nace.New()
	if err != nil {
		return err
	}
	if err := s.loadStartData(ctx, tax); err != nil {
		return err
	}
	enc, err := tileEncoder(s.cfg.TileEncoder, st)
	if err != nil {
		return err
	}
	keys, err := layer.NewSectors(tax, st)
	if err != nil {
		return err
	}
	// One engine of the emerging hot spot analysis for the tiles and the API,
	// so that a view's tiles and legend share one computation.
	em, err := emerging.New(st, keys, emerging.Config{})
	if err != nil {
		return err
	}
	ts, err := tiles.New(st, tiles.Config{CacheBytes: s.cfg.TileCacheMB << 20, Encoder: enc, Sectors: keys, Emerging: em})
	if err != nil {
		return err
	}
	params, err := analysisParams(ctx, st)
	if err != nil {
		return err
	}
	var h *api.Server
	jobs := &analysisJobs{store: st, log: s.log, retention: s.retention()}
	s.runner, err = analysis.New(st, tax, analysis.Config{
		Params: params,
		Log:    s.log,
		OnRun:  jobs.onRun,
		OnSaved: func(ctx context.Context, r *kume.AnalysisResult) {
			h.AnalysisSaved()
			if err := ts.Sync(ctx); err != nil {
				s.log.Warn("tile cache sync", "err", err)
			}
			h.Metrics().AnalysisDuration(r.Run.FinishedAt.Sub(r.Run.StartedAt))
		},
	})
	if err != nil {
		return err
	}
	jobs.status = s.runner.Status
	acfg := api.DefaultConfig()
	acfg.Basemap = s.cfg.Basemap
	var bm api.BasemapTiles
	if s.cfg.Basemap.Kind == api.BasemapOffline {
		if bm, err = basemap.New(); err != nil {
			return err
		}
	}
	if s.cfg.RatePerIP != 0 {
		acfg.API.RatePerIP = max(0, s.cfg.RatePerIP)
	}
	acfg.API.JobRetention = s.retention()
	h = api.New(acfg, api.Deps{
		Store: st, Web: web.FS(), Log: s.log, Tiles: ts,
		Sectors:     sectorIndex(tax),
		SectorKeys:  keys,
		ValueChains: chainCatalog{tax},
		Analyzer:    analyzer{s.runner, jobs},
		Ranker:      api.StoreRanker{Store: st, Sectors: keys, Emerging: em},
		Importer:    newImporter(st, tax, s.runner),
		Basemap:     bm,
		Health:      storeHealth(st),
		Emerging:    em,
	})
	s.http = h.HTTPServer(s.cfg.Addr)
	if s.cfg.MetricsAddr != "" {
		if s.metricsLn, err = net.Listen("tcp", s.cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen on %s (--metrics-addr): %w", s.cfg.MetricsAddr, err)
		}
		s.metrics = h.HTTPServer(s.cfg.MetricsAddr)
		s.metrics.Handler = h.MetricsHandler()
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		if s.metricsLn != nil {
			s.metricsLn.Close()
		}
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	return nil
}

// retention returns how long finished jobs are kept.
func (s *server) retention() time.Duration {
	if s.cfg.JobRetention <= 0 {
		return api.DefaultJobRetention
	}
	return s.cfg.JobRetention
}

// addr returns the bound address.
func (s *server) addr() string { return s.ln.Addr().String() }

// serve serves until ctx is done, then drains requests in flight.
func (s *server) serve(ctx context.Context) error {
	s.log.Info("serving", "addr", s.addr())
	rctx, stopRunner := context.WithCancel(ctx)
	defer func() { stopRunner(); s.runner.Wait() }()
	s.runner.Start(rctx)
	defer s.startControl()()
	if err := s.analyseIfStale(ctx); err != nil {
		return err
	}
	go s.watch(rctx)
	errc := make(chan error, 2)
	go func() { errc <- s.http.Serve(s.ln) }()
	if s.metrics != nil {
		s.log.Info("serving metrics", "addr", s.metricsLn.Addr().String())
		go func() {
			if err := s.metrics.Serve(s.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics listener: %w", err)
			}
		}()
		defer s.metrics.Close()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "drain", s.cfg.Drain.String())
	if err := api.Shutdown(s.http, s.cfg.Drain); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// analyseIfStale requests a run of every analysis scope (the public one and
// those the store keeps) when the data changed after the newest analysis (or
// there is data and no analysis). Every save of an analysis moves the data
// version, so the newest analysis, not each scope's, is what tells a change
// of the data from the analyses' own saves.
func (s *server) analyseIfStale(ctx context.Context) error {
	dv, err := s.store.DataVersion(ctx)
	if err != nil {
		return err
	}
	runs, err := s.store.Analyses(ctx)
	if err != nil {
		return err
	}
	newest := int64(0)
	for _, r := range runs {
		newest = max(newest, r.Version)
	}
	if dv == 0 || (newest >= dv && slices.ContainsFunc(runs, func(r kume.AnalysisRun) bool { return r.Scope.Norm() == kume.AnalysisPublic })) {
		return nil
	}
	return s.runner.RequestAll()
}

// watch requests the analyses again whenever the data changed behind the
// server's back (an import by the command line, or another kume serve on the
// same database, a dataset made private or deleted), checking every 10
// seconds until ctx is done.
func (s *server) watch(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if st := s.runner.Status(); st.Running || st.Pending {
			continue
		}
		if err := s.analyseIfStale(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("checking for new data", "err", err)
		}
	}
}

// close releases the store.
func (s *server) close() error {
	if s.store == nil {
		return nil
	}
	return s.store.Close()
}

// parseBasemap resolves --basemap and checks --basemap-origin.
func (c *serveConfig) parseBasemap(spec string) error {
	attribution, origins := c.Basemap.Attribution, c.Basemap.Origins
	b, err := api.ParseBasemap(spec)
	if err != nil {
		return kume.Errorf(kume.EINVALID, "--basemap: %v", err)
	}
	for i, o := range origins {
		if origins[i], err = api.ParseOrigin(o); err != nil {
			return kume.Errorf(kume.EINVALID, "--basemap-origin: %v", err)
		}
	}
	b.Attribution, b.Origins = attribution, origins
	c.Basemap = b
	return nil
}

// envOr returns env's value of key, or def when unset.
func envOr(env *Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}

// envBool reads a boolean environment variable; unset or unparsable is false.
func envBool(env *Env, key string) bool {
	b, _ := strconv.ParseBool(env.Getenv(key))
	return b
}
