package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// AnalysisStatus is the state of the analysis runner.
type AnalysisStatus struct {
	Running bool   `json:"running"`
	JobID   string `json:"job_id,omitempty"`
	// Scope is the scope of the run going on, or else of the last one.
	Scope kume.AnalysisScope `json:"scope,omitempty"`
	// Progress is the share done, 0..1.
	Progress  float64    `json:"progress"`
	Stage     string     `json:"stage,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	// LastError is the client-safe message of the last failed run.
	LastError string `json:"last_error,omitempty"`
}

// Analyzer starts analysis runs and reports on them. Start requests a run of
// one scope and returns ECONFLICT while a run is in progress.
type Analyzer interface {
	Start(ctx context.Context, scope kume.AnalysisScope) (jobID string, err error)
	Status() AnalysisStatus
}

func (s *Server) mountAnalysis(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/analysis", s.handleAnalysis)
	r.With(s.need(kume.ScopeAdmin)).Post("/analysis", s.handleStartAnalysis)
}

// handleAnalysis reports the current data version, the run of the analysis
// the caller reads (kume.ChooseAnalysis: the public one for anonymous
// callers) with the datasets it read and those it left out and why (only
// those the caller may read are named), and the runner's state. An admin
// key also gets the current run of every scope.
func (s *Server) handleAnalysis(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	v := s.view(r)
	dv, err := s.store.DataVersion(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := map[string]any{"data_version": dv, "latest": nil, "status": AnalysisStatus{}}
	run, err := v.Analysis(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if run != nil {
		latest := *run
		latest.Omitted, err = v.readable(ctx, run.Omitted)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body["latest"] = latest
	}
	if v.access.All() {
		all, err := s.store.Analyses(ctx)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if all == nil {
			all = []kume.AnalysisRun{}
		}
		body["analyses"] = all
	}
	if a := s.api.deps.Analyzer; a != nil {
		body["status"] = statusFor(a.Status(), v.access)
	}
	writeJSON(w, http.StatusOK, body)
}

// statusFor returns the runner's state as a caller may see it: the whole of
// it for an admin key or a run of the public analysis, only whether one
// runs for a run of another scope.
func statusFor(st AnalysisStatus, a kume.Access) AnalysisStatus {
	if a.All() || st.Scope.Norm() == kume.AnalysisPublic {
		return st
	}
	return AnalysisStatus{Running: st.Running}
}

// readable returns the datasets of ds the caller may read now.
func (v *view) readable(ctx context.Context, ds []kume.AnalysisDataset) ([]kume.AnalysisDataset, error) {
	if v.access.All() {
		return ds, nil
	}
	var out []kume.AnalysisDataset
	for _, u := range ds {
		_, err := v.Dataset(ctx, u.ID)
		switch kume.ErrorCode(err) {
		case "":
			out = append(out, u)
		case kume.ENOTFOUND:
		default:
			return nil, err
		}
	}
	return out, nil
}

// handleStartAnalysis starts a run (admin) and answers 202 with its job id:
// of the public analysis, of every dataset (include_private=true) or of the
// datasets named (datasets=a,b: names or ids; at least one private).
func (s *Server) handleStartAnalysis(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "datasets", "include_private")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := s.api.deps.Analyzer
	if a == nil {
		s.writeError(w, r, kume.Errorf(kume.ENOTSUPPORTED, "the analysis runner is not configured"))
		return
	}
	names, err := p.text("datasets", 4096)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	all, err := p.bool("include_private")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var list []string
	if names != "" {
		list = strings.Split(names, ",")
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	ds, err := s.store.Datasets(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	scope, err := kume.ResolveScope(ds, list, all)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := a.Start(r.Context(), scope)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.catalog.invalidate()
	writeJSON(w, http.StatusAccepted, map[string]any{"job_id": id, "scope": scope, "status": a.Status()})
}
