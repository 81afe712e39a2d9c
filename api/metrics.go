package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kume-geo/kume"
)

// Metrics are the Prometheus metrics of one Server, kept in a registry the
// Server owns. Other parts of the service report through its methods.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	tileCache  *prometheus.CounterVec
	importRows *prometheus.CounterVec
	analysis   prometheus.Histogram
	rateLimits *prometheus.CounterVec
	heavyNow   *prometheus.GaugeVec
	heavyFull  *prometheus.CounterVec
}

func newMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kume_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kume_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	m.tileCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kume_tile_cache_events_total", Help: "Tile cache hits, misses and evictions.",
	}, []string{"event"})
	m.importRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kume_import_rows_total", Help: "Imported rows by outcome (accepted, rejected).",
	}, []string{"outcome"})
	m.analysis = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "kume_analysis_duration_seconds", Help: "Duration of analysis runs.",
		Buckets: prometheus.ExponentialBuckets(0.1, 2, 14),
	})
	m.rateLimits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kume_rate_limit_total", Help: "Requests beyond their client's token bucket: delayed until a token came, or refused (429).",
	}, []string{"client", "outcome"})
	m.heavyNow = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kume_heavy_requests_in_flight", Help: "Requests of heavy routes being served, by class (compute, export, upload).",
	}, []string{"class"})
	m.heavyFull = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kume_heavy_requests_refused_total", Help: "Requests of heavy routes refused (503) because their class was at its cap.",
	}, []string{"class"})
	m.reg.MustRegister(m.requests, m.latency, m.tileCache, m.importRows, m.analysis, m.rateLimits, m.heavyNow, m.heavyFull,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics are kept in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Tile cache events for Metrics.TileCache.
const (
	TileCacheHit      = "hit"
	TileCacheMiss     = "miss"
	TileCacheEviction = "eviction"
)

// TileCache counts one tile cache event (TileCacheHit, TileCacheMiss or
// TileCacheEviction).
func (m *Metrics) TileCache(event string) { m.tileCache.WithLabelValues(event).Inc() }

// ImportRows counts the accepted and rejected rows of an import.
func (m *Metrics) ImportRows(accepted, rejected int) {
	m.importRows.WithLabelValues("accepted").Add(float64(accepted))
	m.importRows.WithLabelValues("rejected").Add(float64(rejected))
}

// AnalysisDuration records the duration of one analysis run.
func (m *Metrics) AnalysisDuration(d time.Duration) { m.analysis.Observe(d.Seconds()) }

// watchStore exports the store's database health, read at each scrape:
// whether it is reachable, and its connection attempts made, failed and
// deferred by the backoff. A nil health exports nothing.
func (m *Metrics) watchStore(health func() StoreHealth) {
	if health == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kume_database_up",
			Help: "1 while the last connection attempt to the database succeeded, 0 during an outage."},
			func() float64 {
				if health().Reachable {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kume_database_connect_attempts_total",
			Help: "Connection attempts to the database."}, func() float64 { return float64(health().Attempts) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kume_database_connect_failures_total",
			Help: "Failed connection attempts to the database."}, func() float64 { return float64(health().Failures) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kume_database_connect_deferred_total",
			Help: "Connection attempts refused at once during an outage's backoff."}, func() float64 { return float64(health().Deferred) }),
	)
}

// rateLimit counts a request beyond its client's bucket ("ip" or "key"):
// "delayed" or "refused".
func (m *Metrics) rateLimit(client, outcome string) {
	m.rateLimits.WithLabelValues(client, outcome).Inc()
}

// heavyRunning moves the count of heavy requests of a class being served.
func (m *Metrics) heavyRunning(class string, d float64) { m.heavyNow.WithLabelValues(class).Add(d) }

// heavyRefused counts a heavy request refused at its class's cap.
func (m *Metrics) heavyRefused(class string) { m.heavyFull.WithLabelValues(class).Inc() }

// Metrics returns the server's metrics, for the tile cache and the analysis
// runner to report to.
func (s *Server) Metrics() *Metrics { return s.api.metrics }

// mountMetrics serves the metrics to admin keys only: they name every
// route's traffic and errors, the store's state and the process's memory.
// Scrapers without a key read them on a listen address of their own
// (MetricsHandler, kume serve --metrics-addr).
func (s *Server) mountMetrics(r chi.Router) {
	r.With(s.need(kume.ScopeAdmin)).Method(http.MethodGet, "/metrics", s.metricsPage())
}

// metricsPage is the Prometheus page of the server's registry.
func (s *Server) metricsPage() http.Handler {
	return promhttp.HandlerFor(s.api.metrics.reg, promhttp.HandlerOpts{})
}

// MetricsHandler serves GET /metrics without a key and nothing else (every
// other path is a 404), for a listen address that only the monitoring
// network reaches.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsPage())
	return mux
}

// observe records every request's route pattern, status and latency, and logs
// it as one structured line with the request id.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			route := "unmatched"
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				route = rc.RoutePattern()
			}
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			m := s.api.metrics
			m.requests.WithLabelValues(route, methodLabel(r.Method), strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(route).Observe(d.Seconds())
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", middleware.GetReqID(r.Context())),
				slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", status), slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", d), slog.String("client", s.clientIP(r)))
		}()
		next.ServeHTTP(ww, r)
	})
}

// methodLabel bounds the method label to the methods kume serves.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}
