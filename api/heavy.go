package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kume-geo/kume"
)

// heavyClass is a class of routes whose requests cost much more memory or
// time than a page or a tile: each class has its own cap on the requests
// served at once, so that long exports never crowd out rankings.
type heavyClass string

// The classes of heavy routes.
const (
	// heavyCompute: rankings, local Moran's I, emerging hot spots and
	// cluster dynamics (an emerging analysis), timelines and trends, and OGC
	// items with a CQL2 filter (which may scan much of a layer per page).
	heavyCompute heavyClass = "compute"
	// heavyExport: GeoJSON and CSV exports, streamed for up to the export
	// timeout.
	heavyExport heavyClass = "export"
	// heavyUpload: uploads, spooled to a temporary file.
	heavyUpload heavyClass = "upload"
)

// classify returns the heavy class of a request, "" for any other. It is
// the one list of heavy routes; TestHeavyRoutesAreLimited checks that each
// of them is limited.
func classify(r *http.Request) heavyClass {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/api/v1/datasets/") && strings.HasSuffix(p, "/imports"):
		return heavyUpload
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		return ""
	case strings.HasPrefix(p, "/api/v1/export/"):
		return heavyExport
	case strings.HasPrefix(p, "/ogc/collections/") && strings.HasSuffix(p, "/items") && r.URL.Query().Has("filter"),
		strings.HasPrefix(p, "/api/v1/clusters/") && strings.HasSuffix(p, "/dynamics"):
		return heavyCompute
	}
	switch p {
	case "/api/v1/rank", "/api/v1/lisa", "/api/v1/emerging", "/api/v1/timeline", "/api/v1/trends":
		return heavyCompute
	}
	return ""
}

// slots is a cap on the requests of one class served at once, with a
// bounded line of requests waiting for a slot.
type slots struct {
	class   heavyClass
	running chan struct{}
	waiting chan struct{}
	wait    time.Duration
}

// newHeavySlots returns the caps of the configured classes (none for a
// class whose cap is negative).
func newHeavySlots(cfg APIConfig) map[heavyClass]*slots {
	out := map[heavyClass]*slots{}
	for class, n := range map[heavyClass]int{heavyCompute: cfg.HeavyRequests, heavyExport: cfg.ExportRequests,
		heavyUpload: cfg.UploadRequests} {
		if n > 0 {
			out[class] = &slots{class: class, running: make(chan struct{}, n), waiting: make(chan struct{}, 4*n), wait: cfg.HeavyWait}
		}
	}
	return out
}

// acquire takes a slot, waiting up to the configured time in a line of at
// most four times the slots; it reports false when it got none (the
// request's context ended or the line or the wait ran out).
func (s *slots) acquire(r *http.Request) bool {
	select {
	case s.running <- struct{}{}:
		return true
	default:
	}
	select {
	case s.waiting <- struct{}{}:
	default:
		return false
	}
	defer func() { <-s.waiting }()
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.running <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
	}
	return false
}

// release gives a slot back.
func (s *slots) release() { <-s.running }

// limitHeavy serves the requests of heavy routes within their class's cap;
// beyond it, after the wait, the answer is 503 with Retry-After.
func (s *Server) limitHeavy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sl := s.api.heavy[classify(r)]
		if sl == nil {
			next.ServeHTTP(w, r)
			return
		}
		if !sl.acquire(r) {
			if err := r.Context().Err(); err != nil {
				s.writeError(w, r, fmt.Errorf("waiting for a %s slot: %w", sl.class, err))
				return
			}
			s.api.metrics.heavyRefused(string(sl.class))
			s.writeError(w, r, retryAfter(kume.Errorf(kume.EUNAVAILABLE,
				"the server is busy with other %s requests (%d at once); retry in a moment", sl.class, cap(sl.running)), time.Second))
			return
		}
		s.api.metrics.heavyRunning(string(sl.class), 1)
		defer func() {
			s.api.metrics.heavyRunning(string(sl.class), -1)
			sl.release()
		}()
		next.ServeHTTP(w, r)
	})
}
