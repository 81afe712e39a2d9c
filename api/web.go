package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// webCompressTypes are the media types of the web application that are worth
// compressing; images and the API are left alone (tiles compress themselves).
var webCompressTypes = []string{
	"text/html", "text/css", "text/javascript", "application/javascript",
	"application/json", "image/svg+xml",
}

// mountWeb serves the embedded web application at "/", gzip-compressed for
// clients that accept it.
func (s *Server) mountWeb(r chi.Router) {
	files := http.FileServerFS(s.web)
	csp := s.contentSecurityPolicy()
	r.With(middleware.Compress(5, webCompressTypes...)).Get("/*", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", csp)
		files.ServeHTTP(w, r)
	})
}
