package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// mountWeb serves the embedded web application at "/".
func (s *Server) mountWeb(r chi.Router) {
	files := http.FileServerFS(s.web)
	r.Get("/*", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'")
		files.ServeHTTP(w, r)
	})
}
