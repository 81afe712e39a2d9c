package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/go-chi/cors"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
)

// APIConfig holds the limits and access settings of the JSON API, the exports
// and the OGC API.
type APIConfig struct {
	// PublicReads lets requests without a key read; otherwise every request
	// needs a key with the read scope. Writes always need a key.
	PublicReads bool
	// MaxBodyBytes caps JSON request bodies; MaxUploadBytes caps import uploads.
	MaxBodyBytes   int64
	MaxUploadBytes int64
	// DefaultLimit is the page size when a request gives none; MaxLimit caps
	// every limit a client sends (larger values are clamped).
	DefaultLimit int
	MaxLimit     int
	// RatePerIP and RatePerKey are the sustained request rates, in requests
	// per RateWindow, of each client IP (an IPv6 client's /64) without a key
	// and of each key (0 turns the limit off). They refill token buckets of
	// BurstPerIP and BurstPerKey requests (0: one window's requests, at most
	// the default burst). A request that finds its bucket empty waits up to
	// RateDelay for its token (negative: never waits), and beyond that is a
	// 429 with Retry-After. See ratelimit.go.
	RatePerIP   int
	RatePerKey  int
	RateWindow  time.Duration
	BurstPerIP  int
	BurstPerKey int
	RateDelay   time.Duration
	// HeavyRequests, ExportRequests and UploadRequests cap the requests of
	// the heavy routes served at once (see heavy.go): rankings, local
	// Moran's I, emerging hot spots, timelines and filtered OGC items;
	// exports; uploads. A request beyond waits up to HeavyWait for its turn
	// and is then a 503 with Retry-After. 0 takes the default, negative
	// turns the cap off.
	HeavyRequests  int
	ExportRequests int
	UploadRequests int
	HeavyWait      time.Duration
	// CORSOrigins lists the origins allowed to call the API from a browser
	// ("*" for any); empty means no cross-origin access.
	CORSOrigins []string
	// TrustedProxies are the networks whose X-Forwarded-For/-Proto/-Host
	// headers are believed. Requests from anywhere else are taken at face value.
	TrustedProxies []netip.Prefix
	// CursorKey signs paging cursors; empty means a random key per process.
	CursorKey []byte
	// BodyIdleTimeout, BodyMinRate and BodyGrace bound how slowly a client
	// may send a request body (an upload, a JSON body; see body.go): at
	// most BodyIdleTimeout without a byte, and after BodyGrace at least
	// BodyMinRate bytes a second on average. A slower body is cut with a
	// 408, its connection closed and its temporary file removed.
	BodyIdleTimeout time.Duration
	BodyMinRate     int64
	BodyGrace       time.Duration
	// QueryTimeout bounds a JSON request; ExportTimeout an export.
	QueryTimeout  time.Duration
	ExportTimeout time.Duration
	// JobRetention is how long finished jobs (imports of uploads, analysis
	// runs) are kept.
	JobRetention time.Duration
}

// DefaultAPIConfig returns the API settings used when none are given.
func DefaultAPIConfig() APIConfig {
	return APIConfig{
		PublicReads:     true,
		MaxBodyBytes:    1 << 20,
		MaxUploadBytes:  64 << 20,
		DefaultLimit:    100,
		MaxLimit:        10000,
		RatePerIP:       DefaultRatePerIP,
		RatePerKey:      DefaultRatePerKey,
		RateWindow:      time.Minute,
		BurstPerIP:      DefaultBurstPerIP,
		BurstPerKey:     DefaultBurstPerKey,
		RateDelay:       time.Second,
		HeavyRequests:   max(4, 2*runtime.GOMAXPROCS(0)),
		ExportRequests:  8,
		UploadRequests:  2,
		HeavyWait:       2 * time.Second,
		BodyIdleTimeout: 10 * time.Second,
		BodyMinRate:     32 << 10,
		BodyGrace:       5 * time.Second,
		QueryTimeout:    30 * time.Second,
		ExportTimeout:   10 * time.Minute,
		JobRetention:    DefaultJobRetention,
	}
}

// The default rate limits: an anonymous client may make 50 requests a
// second (3,000 a minute) with bursts of 300, a key ten times as many. GDAL
// paging a collection ten features at a time is slowed to the rate, never
// refused.
const (
	DefaultRatePerIP   = 3000
	DefaultRatePerKey  = 30000
	DefaultBurstPerIP  = 300
	DefaultBurstPerKey = 3000
)

// DefaultJobRetention is how long finished jobs are kept unless configured.
const DefaultJobRetention = 7 * 24 * time.Hour

// withDefaults fills zero fields from DefaultAPIConfig (PublicReads excepted).
func (c APIConfig) withDefaults() APIConfig {
	d := DefaultAPIConfig()
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = d.MaxUploadBytes
	}
	if c.MaxLimit <= 0 {
		c.MaxLimit = d.MaxLimit
	}
	if c.DefaultLimit <= 0 || c.DefaultLimit > c.MaxLimit {
		c.DefaultLimit = min(d.DefaultLimit, c.MaxLimit)
	}
	if c.RateWindow <= 0 {
		c.RateWindow = d.RateWindow
	}
	if c.BurstPerIP <= 0 {
		c.BurstPerIP = min(max(c.RatePerIP, 1), d.BurstPerIP)
	}
	if c.BurstPerKey <= 0 {
		c.BurstPerKey = min(max(c.RatePerKey, 1), d.BurstPerKey)
	}
	if c.RateDelay == 0 {
		c.RateDelay = d.RateDelay
	}
	for _, f := range []struct{ v, d *int }{{&c.HeavyRequests, &d.HeavyRequests},
		{&c.ExportRequests, &d.ExportRequests}, {&c.UploadRequests, &d.UploadRequests}} {
		if *f.v == 0 {
			*f.v = *f.d
		}
	}
	if c.HeavyWait <= 0 {
		c.HeavyWait = d.HeavyWait
	}
	if c.BodyIdleTimeout <= 0 {
		c.BodyIdleTimeout = d.BodyIdleTimeout
	}
	if c.BodyMinRate <= 0 {
		c.BodyMinRate = d.BodyMinRate
	}
	if c.BodyGrace <= 0 {
		c.BodyGrace = d.BodyGrace
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = d.QueryTimeout
	}
	if c.ExportTimeout <= 0 {
		c.ExportTimeout = d.ExportTimeout
	}
	if c.JobRetention <= 0 {
		c.JobRetention = d.JobRetention
	}
	return c
}

// apiState is what the API keeps besides the configuration.
type apiState struct {
	cfg       APIConfig
	deps      Deps
	cursorKey []byte
	ipLimit   *tokenBuckets
	keyLimit  *tokenBuckets
	heavy     map[heavyClass]*slots
	metrics   *Metrics
	emerging  *emerging.Engine
}

// setupAPI prepares the API state from the configuration and dependencies.
func (s *Server) setupAPI(d Deps) {
	cfg := s.cfg.API.withDefaults()
	st := &apiState{cfg: cfg, deps: d, cursorKey: cfg.CursorKey}
	if len(st.cursorKey) == 0 {
		st.cursorKey = make([]byte, 32)
		_, _ = rand.Read(st.cursorKey) // crypto/rand.Read never fails
	}
	st.ipLimit = newTokenBuckets(cfg.RatePerIP, cfg.RateWindow, cfg.BurstPerIP, cfg.RateDelay)
	st.keyLimit = newTokenBuckets(cfg.RatePerKey, cfg.RateWindow, cfg.BurstPerKey, cfg.RateDelay)
	st.heavy = newHeavySlots(cfg)
	st.metrics = newMetrics()
	st.metrics.watchStore(d.Health)
	st.emerging = d.Emerging
	s.api = st
}

// trusted reports whether the peer of r is a configured proxy.
func (s *Server) trusted(r *http.Request) bool {
	if len(s.api.cfg.TrustedProxies) == 0 {
		return false
	}
	ip, ok := peerIP(r)
	if !ok {
		return false
	}
	for _, p := range s.api.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func peerIP(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// clientIP returns the client's address: the socket peer, or, behind a
// trusted proxy, the right-most X-Forwarded-For entry that is not itself a
// trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	peer, ok := peerIP(r)
	if !ok {
		return r.RemoteAddr
	}
	if !s.trusted(r) {
		return peer.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		ip = ip.Unmap()
		inProxy := false
		for _, p := range s.api.cfg.TrustedProxies {
			inProxy = inProxy || p.Contains(ip)
		}
		if !inProxy {
			return ip.String()
		}
	}
	return peer.String()
}

// rateLimited takes a token of the caller's bucket (per key when one is
// given, per IP otherwise), waiting for it when it comes within the
// configured delay, and answers 429 with Retry-After when it does not. It
// reports whether it answered. The web application's own files and the
// offline basemap (embedded, served from memory) cost no token: a map view
// loads dozens of them, and counting them would refuse a planner's panning
// before any data request.
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request, key *kume.APIKey) bool {
	if !rateCounted(r.URL.Path) {
		return false
	}
	l, id, who := s.api.ipLimit, ipClient(s.clientIP(r)), "ip"
	if key != nil {
		l, id, who = s.api.keyLimit, "key:"+itoa(key.ID), "key"
	}
	if l == nil {
		return false
	}
	wait, ok := l.take(id)
	if !ok {
		s.api.metrics.rateLimit(who, "refused")
		s.writeError(w, r, retryAfter(errRateLimited, wait))
		return true
	}
	if wait <= 0 {
		return false
	}
	s.api.metrics.rateLimit(who, "delayed")
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case <-r.Context().Done():
		s.writeError(w, r, fmt.Errorf("waiting for the rate limit: %w", r.Context().Err()))
		return true
	}
}

// rateCounted reports whether a request to path takes a token: the JSON
// API, the OGC API, tiles and metrics do; static files and the offline
// basemap do not.
func rateCounted(path string) bool {
	for _, p := range []string{"/api/", "/ogc", "/tiles/", "/metrics"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// corsHandler allows cross-origin requests from the configured origins only.
func (s *Server) corsHandler() func(http.Handler) http.Handler {
	if len(s.api.cfg.CORSOrigins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return cors.Handler(cors.Options{
		AllowedOrigins: s.api.cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
		AllowedHeaders: []string{"Accept", "Authorization", "Content-Type", "X-API-Key"},
		ExposedHeaders: []string{"Link", "Kume-Provenance", "X-Request-Id"},
		MaxAge:         600,
	})
}

// queryContext derives the context of a store query from the request's, so
// that a client going away cancels the query.
func (s *Server) queryContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.api.cfg.QueryTimeout)
}
