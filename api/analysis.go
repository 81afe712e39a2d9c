package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// AnalysisStatus is the state of the analysis runner.
type AnalysisStatus struct {
	Running bool   `json:"running"`
	JobID   string `json:"job_id,omitempty"`
	// Progress is the share done, 0..1.
	Progress  float64    `json:"progress"`
	Stage     string     `json:"stage,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	// LastError is the client-safe message of the last failed run.
	LastError string `json:"last_error,omitempty"`
}

// Analyzer starts analysis runs and reports on them. Start returns ECONFLICT
// while a run is in progress.
type Analyzer interface {
	Start(ctx context.Context) (jobID string, err error)
	Status() AnalysisStatus
}

func (s *Server) mountAnalysis(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/analysis", s.handleAnalysis)
	r.With(s.need(kume.ScopeAdmin)).Post("/analysis", s.handleStartAnalysis)
}

// handleAnalysis reports the current data version, the latest completed run
// and the running job, if any.
func (s *Server) handleAnalysis(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	v, err := s.store.DataVersion(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := map[string]any{"data_version": v, "latest": nil, "status": AnalysisStatus{}}
	run, err := s.store.LatestAnalysis(ctx)
	switch {
	case err == nil:
		body["latest"] = run
	case kume.ErrorCode(err) != kume.ENOTFOUND:
		s.writeError(w, r, err)
		return
	}
	if a := s.api.deps.Analyzer; a != nil {
		body["status"] = a.Status()
	}
	writeJSON(w, http.StatusOK, body)
}

// handleStartAnalysis starts a run (admin) and answers 202 with its job id.
func (s *Server) handleStartAnalysis(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := s.api.deps.Analyzer
	if a == nil {
		s.writeError(w, r, kume.Errorf(kume.ENOTSUPPORTED, "the analysis runner is not configured"))
		return
	}
	id, err := a.Start(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"job_id": id, "status": a.Status()})
}
