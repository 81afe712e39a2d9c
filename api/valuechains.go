package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// ValueChainCatalog validates the value chains that an administrator edits.
type ValueChainCatalog interface {
	Validate(vc kume.ValueChain) error
}

var (
	chainIDRE  = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
	naceCodeRE = regexp.MustCompile(`^[0-9]{2}(\.[0-9]{1,2})?$`)
)

// valueChains returns the value chains in force (layer.Sectors.ChainsInForce).
func (s *Server) valueChains(ctx context.Context) ([]kume.ValueChain, error) {
	keys, err := s.sectorKeys()
	if err != nil {
		return nil, err
	}
	chains, err := keys.ChainsInForce(ctx)
	if chains == nil && err == nil {
		chains = []kume.ValueChain{}
	}
	return chains, err
}

func (s *Server) handleValueChains(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	chains, err := s.valueChains(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value_chains": chains})
}

// decodeJSON decodes a capped JSON body strictly: unknown fields and
// trailing data are errors.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	s.limitBody(w, r, s.api.cfg.MaxBodyBytes)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return kume.Errorf(kume.EINVALID, "malformed JSON body: %s", jsonErrorText(err))
	}
	if dec.More() {
		return kume.Errorf(kume.EINVALID, "malformed JSON body: trailing data")
	}
	return nil
}

// jsonErrorText shortens a JSON decoding error for a client.
func jsonErrorText(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// handlePutValueChain creates or replaces a value chain (admin).
func (s *Server) handlePutValueChain(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	if !chainIDRE.MatchString(id) {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "value chain id must match %s", chainIDRE))
		return
	}
	var vc kume.ValueChain
	if err := s.decodeJSON(w, r, &vc); err != nil {
		s.writeError(w, r, err)
		return
	}
	if vc.ID == "" {
		vc.ID = id
	}
	if vc.ID != id {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "the body's id differs from the path's"))
		return
	}
	if err := s.validateChain(vc); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	if err := s.store.PutValueChain(ctx, vc); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, vc)
}

func (s *Server) validateChain(vc kume.ValueChain) error {
	n := 0
	for role, codes := range vc.Roles {
		valid := false
		for _, known := range kume.Roles() {
			valid = valid || role == known
		}
		if !valid {
			return kume.Errorf(kume.EINVALID, "unknown role %q", role)
		}
		for _, c := range codes {
			if !naceCodeRE.MatchString(c) {
				return kume.Errorf(kume.EINVALID, "role %s: %q is not a NACE division, group or class", role, c)
			}
			n++
		}
	}
	if n == 0 {
		return kume.Errorf(kume.EINVALID, "a value chain needs at least one NACE code")
	}
	if cat := s.api.deps.ValueChains; cat != nil {
		if err := cat.Validate(vc); err != nil {
			if kume.ErrorCode(err) == kume.EINTERNAL {
				return kume.Errorf(kume.EINVALID, "invalid value chain")
			}
			return err
		}
	}
	return nil
}

func (s *Server) mountValueChains(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/value-chains", s.handleValueChains)
	r.With(s.need(kume.ScopeAdmin)).Put("/value-chains/{id}", s.handlePutValueChain)
}
