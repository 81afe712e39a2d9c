package api

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/go-chi/cors"
	"github.com/go-chi/httprate"

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
	// RatePerIP and RatePerKey are requests per RateWindow, counted per client
	// IP for requests without a key and per key otherwise (0 turns it off).
	RatePerIP  int
	RatePerKey int
	RateWindow time.Duration
	// CORSOrigins lists the origins allowed to call the API from a browser
	// ("*" for any); empty means no cross-origin access.
	CORSOrigins []string
	// TrustedProxies are the networks whose X-Forwarded-For/-Proto/-Host
	// headers are believed. Requests from anywhere else are taken at face value.
	TrustedProxies []netip.Prefix
	// CursorKey signs paging cursors; empty means a random key per process.
	CursorKey []byte
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
		PublicReads:    true,
		MaxBodyBytes:   1 << 20,
		MaxUploadBytes: 64 << 20,
		DefaultLimit:   100,
		MaxLimit:       10000,
		RatePerIP:      600,
		RatePerKey:     6000,
		RateWindow:     time.Minute,
		QueryTimeout:   30 * time.Second,
		ExportTimeout:  10 * time.Minute,
		JobRetention:   DefaultJobRetention,
	}
}

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
	ipLimit   *httprate.RateLimiter
	keyLimit  *httprate.RateLimiter
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
	if cfg.RatePerIP > 0 {
		st.ipLimit = httprate.NewRateLimiter(cfg.RatePerIP, cfg.RateWindow)
	}
	if cfg.RatePerKey > 0 {
		st.keyLimit = httprate.NewRateLimiter(cfg.RatePerKey, cfg.RateWindow)
	}
	st.metrics = newMetrics()
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

// rateLimited counts the request against the caller's budget (per key when
// one is given, per IP otherwise) and answers 429 when it is spent.
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request, key *kume.APIKey) bool {
	l, id := s.api.ipLimit, "ip:"+s.clientIP(r)
	if key != nil {
		l, id = s.api.keyLimit, "key:"+itoa(key.ID)
	}
	if l == nil || !l.OnLimit(w, r, id) {
		return false
	}
	s.writeError(w, r, errRateLimited)
	return true
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

// limitBody caps the request body at n bytes.
func limitBody(w http.ResponseWriter, r *http.Request, n int64) {
	r.Body = http.MaxBytesReader(w, r.Body, n)
}

// bodyError turns a body read error into an application error: 413 beyond
// the cap, 400 otherwise.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return kume.Errorf(kume.ETOOLARGE, "request body larger than %d bytes", mbe.Limit)
	}
	return kume.Errorf(kume.EINVALID, "could not read the request body")
}

// queryContext derives the context of a store query from the request's, so
// that a client going away cancels the query.
func (s *Server) queryContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.api.cfg.QueryTimeout)
}
