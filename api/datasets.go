package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// datasetInput is the body of POST /datasets.
type datasetInput struct {
	Name        string          `json:"name"`
	Source      string          `json:"source"`
	Licence     string          `json:"licence"`
	Attribution string          `json:"attribution"`
	Visibility  kume.Visibility `json:"visibility"`
}

// datasetPatch is the body of PATCH /datasets/{id}: the fields to change.
type datasetPatch struct {
	Source      *string          `json:"source"`
	Licence     *string          `json:"licence"`
	Attribution *string          `json:"attribution"`
	Visibility  *kume.Visibility `json:"visibility"`
}

func (s *Server) mountDatasets(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/datasets", s.handleDatasets)
	r.With(s.need(kume.ScopeWrite)).Post("/datasets", s.handleCreateDataset)
	r.With(s.need(kume.ScopeRead)).Get("/datasets/{id}", s.handleDataset)
	r.With(s.need(kume.ScopeWrite)).Patch("/datasets/{id}", s.handleUpdateDataset)
	r.With(s.need(kume.ScopeWrite)).Delete("/datasets/{id}", s.handleDeleteDataset)
}

// handleDatasets lists the datasets the caller may read: the public ones and
// those its key was granted (every one for an admin key).
func (s *Server) handleDatasets(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	out, err := s.view(r).Datasets(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if out == nil {
		out = []*kume.Dataset{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"datasets": out})
}

// checkText validates a free-text field of a request body.
func checkText(field, v string, maxLen int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return kume.Errorf(kume.EINVALID, "%s is required", field)
	}
	if len(v) > maxLen {
		return kume.Errorf(kume.EINVALID, "%s is longer than %d bytes", field, maxLen)
	}
	for _, c := range v {
		if unicode.IsControl(c) || c == '\uFFFD' {
			return kume.Errorf(kume.EINVALID, "%s contains a control character or invalid UTF-8", field)
		}
	}
	return nil
}

// handleCreateDataset creates an empty dataset; establishments come with an import.
func (s *Server) handleCreateDataset(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in datasetInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Visibility == "" {
		in.Visibility = kume.DefaultVisibility
	}
	if !in.Visibility.Valid() {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "visibility must be public or private"))
		return
	}
	if !nameRE.MatchString(in.Name) || strings.TrimSpace(in.Name) != in.Name {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "name must be 1 to 100 letters, digits, spaces, dots, dashes or underscores"))
		return
	}
	if _, err := strconv.ParseInt(in.Name, 10, 64); err == nil {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "name must not be a number"))
		return
	}
	for _, f := range []struct{ name, v string }{{"source", in.Source}, {"licence", in.Licence}, {"attribution", in.Attribution}} {
		if err := checkText(f.name, f.v, 1000, false); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	d := &kume.Dataset{Name: in.Name, Source: in.Source, Licence: in.Licence, Attribution: in.Attribution, Visibility: in.Visibility}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	if err := s.store.CreateDataset(ctx, d); err != nil {
		s.writeError(w, r, err)
		return
	}
	// The key that made the dataset may write it: import into it, change
	// or delete it.
	if k := CallerKey(r.Context()); !k.Scope.Allows(kume.ScopeAdmin) {
		if err := s.store.GrantKey(ctx, k.ID, kume.Grant{DatasetID: d.ID, Right: kume.RightWrite}); err != nil {
			if derr := s.store.DeleteDataset(context.WithoutCancel(ctx), d.ID); derr != nil {
				s.log.Error("removing a dataset whose grant failed", slog.Int64("dataset", d.ID), slog.Any("err", derr))
			}
			s.writeError(w, r, err)
			return
		}
	}
	s.catalog.invalidate()
	w.Header().Set("Location", "/api/v1/datasets/"+itoa(d.ID))
	writeJSON(w, http.StatusCreated, d)
}

// pathID parses a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	v := chi.URLParam(r, name)
	if !intRE.MatchString(v) || strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") {
		return 0, kume.Errorf(kume.EINVALID, "%s must be a positive integer", name)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, kume.Errorf(kume.EINVALID, "%s must be a positive integer", name)
	}
	return id, nil
}

// visibleDataset returns the dataset of the {id} path parameter; one the
// caller may not read is not found.
func (s *Server) visibleDataset(r *http.Request) (*kume.Dataset, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	return s.view(r).Dataset(ctx, id)
}

// handleDataset returns one dataset.
func (s *Server) handleDataset(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.visibleDataset(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleUpdateDataset changes a dataset's visibility and descriptive fields
// (a key with a write grant on it, or an admin key); fields the body leaves
// out stay. Making a dataset public or private takes effect at once for its
// establishments and for who may read the analyses that read it, and the
// analyses follow at their next run (the data version moves, so a server
// analyses again).
func (s *Server) handleUpdateDataset(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in datasetPatch
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.visibleDataset(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Visibility != nil {
		if !in.Visibility.Valid() {
			s.writeError(w, r, kume.Errorf(kume.EINVALID, "visibility must be public or private"))
			return
		}
		d.Visibility = *in.Visibility
	}
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"source", in.Source, &d.Source}, {"licence", in.Licence, &d.Licence}, {"attribution", in.Attribution, &d.Attribution}} {
		if f.v == nil {
			continue
		}
		if err := checkText(f.name, *f.v, 1000, false); err != nil {
			s.writeError(w, r, err)
			return
		}
		*f.dst = *f.v
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	if err := s.view(r).UpdateDataset(ctx, d); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.catalog.invalidate()
	if d, err = s.store.Dataset(ctx, d.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleDeleteDataset removes a dataset and its establishments (a key with
// a write grant on it, or an admin key), the grants on it and the analyses
// made of it by name.
func (s *Server) handleDeleteDataset(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	if err := s.view(r).DeleteDataset(ctx, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.catalog.invalidate()
	w.WriteHeader(http.StatusNoContent)
}
