package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/kume-geo/kume"
)

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf maps an application error code to an HTTP status. It is the only
// place where that mapping lives.
func statusOf(code string) int {
	switch code {
	case kume.EINVALID:
		return http.StatusBadRequest
	case kume.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case kume.EFORBIDDEN:
		return http.StatusForbidden
	case kume.ENOTFOUND:
		return http.StatusNotFound
	case kume.ECONFLICT:
		return http.StatusConflict
	case kume.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case kume.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case kume.ENOTSUPPORTED:
		return http.StatusNotImplemented
	case codeRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// codeRateLimited is the error code of a request beyond the caller's rate limit.
const codeRateLimited = "rate_limited"

// errRateLimited is the error of a request beyond the caller's rate limit.
var errRateLimited = &kume.Error{Code: codeRateLimited, Message: "too many requests; retry later"}

// handleNotFound answers unknown paths with a JSON 404.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "no such resource"))
}

// handleMethodNotAllowed answers a known path with the wrong method.
func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Code: "method_not_allowed", Message: "method not allowed"})
}

// recoverJSON turns a panic in a handler into a logged JSON 500 that shows
// nothing of the panic to the client.
func (s *Server) recoverJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				writeJSON(w, http.StatusInternalServerError, errorBody{Code: kume.EINTERNAL, Message: "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// writeError writes err as a JSON error. Internal errors are logged with the
// request's context and shown to the client only as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := kume.ErrorCode(err)
	status := statusOf(code)
	if code == kume.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	writeJSON(w, status, errorBody{Code: code, Message: kume.ErrorMessage(err)})
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
