package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

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
	case codeRequestTimeout:
		return http.StatusRequestTimeout
	}
	return http.StatusInternalServerError
}

// codeRateLimited is the error code of a request beyond the caller's rate limit.
const codeRateLimited = "rate_limited"

// codeRequestTimeout is the error code of a request whose body came too
// slowly.
const codeRequestTimeout = "request_timeout"

// errRateLimited is the error of a request beyond the caller's rate limit.
var errRateLimited = &kume.Error{Code: codeRateLimited, Message: "too many requests; retry later"}

// retryLater is an error after which a client may try again: its answer
// carries Retry-After. Errors from other packages (a store's "database not
// reachable") offer it by having the method.
type retryLater interface {
	RetryAfter() time.Duration
}

// retryAfterError is an error a client may retry after a delay.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// retryAfter returns err with the delay after which to retry.
func retryAfter(err error, d time.Duration) error { return &retryAfterError{err: err, after: d} }

// defaultRetryAfter is the Retry-After of a 429 or 503 whose error does not
// say when to retry.
const defaultRetryAfter = 5 * time.Second

// retryAfterSeconds is the Retry-After value of a delay: whole seconds,
// rounded up, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}

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

// statusClientClosed is the status recorded for a request whose client went
// away before the answer was ready (nginx's 499); nobody reads it, but the
// metrics and the request log then do not count it as a server error.
const statusClientClosed = 499

// codeClientClosed is the error code of a request its client abandoned.
const codeClientClosed = "client_closed"

// writeError writes err as a JSON error. Internal errors are logged with the
// request's context and shown to the client only as "internal error". An
// error caused by the client going away (the request's context is canceled)
// is not an internal error: it is answered with statusClientClosed.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := kume.ErrorCode(err)
	status := statusOf(code)
	if code == kume.EINTERNAL && errors.Is(r.Context().Err(), context.Canceled) {
		s.log.InfoContext(r.Context(), "request canceled by the client", slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("path", r.URL.Path))
		writeJSON(w, statusClientClosed, errorBody{Code: codeClientClosed, Message: "client closed the request"})
		return
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		after := defaultRetryAfter
		var rl retryLater
		if errors.As(err, &rl) {
			after = rl.RetryAfter()
		}
		w.Header().Set("Retry-After", retryAfterSeconds(after))
	}
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
