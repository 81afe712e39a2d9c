package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

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
	}
	return http.StatusInternalServerError
}

// writeError writes err as a JSON error. Internal errors are logged with the
// request's context and shown to the client only as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := kume.ErrorCode(err)
	status := statusOf(code)
	if code == kume.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
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
