package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

func (s *Server) mountHealth(r chi.Router) {
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
}

// handleHealthz answers as long as the process serves HTTP.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// StoreHealth is what a store knows of its database's reachability from its
// own connection attempts, without asking the database (the PostGIS
// store's Health).
type StoreHealth struct {
	Reachable bool
	// Since is when the outage began; RetryAt the earliest time of the next
	// connection attempt (both zero while reachable).
	Since, RetryAt time.Time
	// LastError is the cause of the last failed attempt (for the log and
	// admins; never sent to clients).
	LastError string
	// Attempts, Failures and Deferred count the connection attempts made,
	// those that failed, and those refused during an outage's backoff.
	Attempts, Failures, Deferred int64
}

// handleReadyz answers 200 when the store is reachable and its schema current,
// 503 otherwise. During a database outage it says since when and when the
// next connection attempt will be (also as Retry-After), and does not ask
// the database before then: the store's backoff refuses the ping at once.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	err := s.store.Ping(ctx)
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		return
	}
	msg, after := "store not ready", defaultRetryAfter
	if health := s.api.deps.Health; health != nil {
		if h := health(); !h.Reachable {
			msg = fmt.Sprintf("database unreachable since %s", h.Since.UTC().Format(time.RFC3339))
			after = time.Until(h.RetryAt)
		}
	}
	s.log.WarnContext(r.Context(), "not ready", "err", err)
	w.Header().Set("Retry-After", retryAfterSeconds(after))
	writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: kume.EUNAVAILABLE, Message: msg})
}
