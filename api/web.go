package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/go-chi/chi/v5"
)

// mountWeb serves the embedded web application at "/": its files from
// memory (webFiles), gzip-compressed for clients that accept it; no directory
// is listed (one without an index.html is a 404).
func (s *Server) mountWeb(r chi.Router) {
	files := http.FileServerFS(noListings{s.web})
	mem := newWebFiles(s.web)
	csp := s.contentSecurityPolicy()
	r.Get("/*", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", csp)
		// The file server redirects /index.html to / and a directory to its
		// trailing slash, and answers what is missing.
		if strings.HasSuffix(r.URL.Path, "/index.html") {
			files.ServeHTTP(w, r)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if strings.HasSuffix(r.URL.Path, "/") {
			name = path.Join(name, "index.html")
		}
		if f := mem.file(name); f != nil {
			f.serve(w, r, name)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// noListings is a file system in which a directory without an index.html
// does not exist, so that a file server given it never lists a directory.
type noListings struct{ fs.FS }

// Open opens a file, or a directory that holds an index.html.
func (n noListings) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		_, err = fs.Stat(n.FS, path.Join(name, "index.html"))
	}
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f, nil
}
