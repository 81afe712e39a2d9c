package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/kume-geo/kume"
)

type ctxKey int

const keyCtxKey ctxKey = iota

// CallerKey returns the API key the request was made with, or nil for an
// anonymous request.
func CallerKey(ctx context.Context) *kume.APIKey {
	k, _ := ctx.Value(keyCtxKey).(*kume.APIKey)
	return k
}

// IsPublic reports whether the request is anonymous: such a request never
// sees private datasets or suppressed aggregates.
func IsPublic(r *http.Request) bool { return CallerKey(r.Context()) == nil }

// keySecret extracts a key from "Authorization: Bearer <key>" or
// "X-API-Key: <key>". ok is false when a credential header is present but
// malformed.
func keySecret(r *http.Request) (secret string, ok bool) {
	auth := r.Header.Values("Authorization")
	api := r.Header.Values("X-API-Key")
	if len(auth)+len(api) > 1 {
		return "", false
	}
	switch {
	case len(auth) == 1:
		scheme, tok, found := strings.Cut(auth[0], " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		secret = strings.TrimSpace(tok)
	case len(api) == 1:
		secret = strings.TrimSpace(api[0])
	default:
		return "", true
	}
	if secret == "" || len(secret) > 256 {
		return "", false
	}
	return secret, true
}

// authenticate resolves the request's key, if any, and applies the rate limit
// of the key or, without one, of the client IP. A key that is malformed,
// unknown or revoked is a 401 even on routes that need none.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := keySecret(r)
		if !ok {
			if !s.rateLimited(w, r, nil) {
				s.unauthorized(w, r, "malformed credentials; use Authorization: Bearer <key>")
			}
			return
		}
		if secret == "" {
			if !s.rateLimited(w, r, nil) {
				next.ServeHTTP(w, r)
			}
			return
		}
		ctx, cancel := s.queryContext(r)
		key, err := s.store.KeyByHash(ctx, HashKey(secret))
		cancel()
		if kume.ErrorCode(err) == kume.ENOTFOUND || (err == nil && key.RevokedAt != nil) {
			if !s.rateLimited(w, r, nil) {
				s.unauthorized(w, r, "unknown or revoked API key")
			}
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.rateLimited(w, r, key) {
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyCtxKey, key)))
	})
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="kume"`)
	s.writeError(w, r, kume.Errorf(kume.EUNAUTHORIZED, "%s", msg))
}

// need guards a route with a scope: without a key it answers 401 (reads
// excepted when reads are public), with too small a scope 403.
func (s *Server) need(scope kume.Scope) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := CallerKey(r.Context())
			switch {
			case key == nil && scope == kume.ScopeRead && s.api.cfg.PublicReads:
			case key == nil:
				s.unauthorized(w, r, "this request needs an API key")
				return
			case !key.Scope.Allows(scope):
				s.writeError(w, r, kume.Errorf(kume.EFORBIDDEN, "this request needs a key with the %s scope", scope))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
