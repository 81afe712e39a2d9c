package api

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// grantInput is the body of PUT /keys/{id}/grants/{dataset}.
type grantInput struct {
	Right kume.Right `json:"right"`
}

// mountKeys registers the administration of API keys' grants (admin keys).
// Keys themselves are made and revoked with "kume keys".
func (s *Server) mountKeys(r chi.Router) {
	r.With(s.need(kume.ScopeAdmin)).Get("/keys", s.handleKeys)
	r.With(s.need(kume.ScopeAdmin)).Put("/keys/{id}/grants/{dataset}", s.handlePutGrant)
	r.With(s.need(kume.ScopeAdmin)).Delete("/keys/{id}/grants/{dataset}", s.handleDeleteGrant)
}

// handleKeys lists every key (never its secret or hash) with its grants.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	keys, err := s.store.Keys(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if keys == nil {
		keys = []kume.APIKey{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// grantTarget resolves the {id} and {dataset} path parameters: a key id and
// a dataset id or name.
func (s *Server) grantTarget(r *http.Request) (int64, *kume.Dataset, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	name := chi.URLParam(r, "dataset")
	ctx, cancel := s.queryContext(r)
	defer cancel()
	var d *kume.Dataset
	if n, perr := strconv.ParseInt(name, 10, 64); perr == nil && n > 0 {
		d, err = s.store.Dataset(ctx, n)
	} else if nameRE.MatchString(name) {
		d, err = s.store.DatasetByName(ctx, name)
	} else {
		return 0, nil, kume.Errorf(kume.EINVALID, "dataset must be a dataset id or name")
	}
	return id, d, err
}

// handlePutGrant gives a key read or write on a dataset, replacing the right
// it had there, and answers with the key.
func (s *Server) handlePutGrant(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var in grantInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, d, err := s.grantTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	if err := s.store.GrantKey(ctx, id, kume.Grant{DatasetID: d.ID, Right: in.Right}); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeKey(w, r, id)
}

// handleDeleteGrant takes a key's right on a dataset away.
func (s *Server) handleDeleteGrant(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, d, err := s.grantTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	if err := s.store.RevokeGrant(ctx, id, d.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeKey answers with key id as Keys lists it.
func (s *Server) writeKey(w http.ResponseWriter, r *http.Request, id int64) {
	ctx, cancel := s.queryContext(r)
	defer cancel()
	keys, err := s.store.Keys(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, k := range keys {
		if k.ID == id {
			writeJSON(w, http.StatusOK, k)
			return
		}
	}
	s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "key %d not found", id))
}
