package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// webCompressTypes are the media types of the web application that are worth
// compressing; fonts and images are compressed already.
var webCompressTypes = []string{
	"text/html", "text/css", "text/javascript", "application/javascript",
	"application/json", "image/svg+xml",
}

// minCompress is the size under which a file is sent as it is: gzip's own
// header and trailer would eat the saving.
const minCompress = 512

// webFiles serves the regular files of the web application from memory: each
// read once, with a strong ETag of its bytes (so that a browser revalidates
// with If-None-Match and keeps what it compiled from an unchanged script) and,
// for text, a gzip encoding made once at the best compression, instead of
// compressing every answer anew.
type webFiles struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]*webFile
}

// webFile is one file of the web application, loaded on first request.
type webFile struct {
	once  sync.Once
	err   error
	ctype string
	plain []byte
	gz    []byte // nil when the file is sent as it is
	etag  string // of plain; the gzip encoding's adds "-gz"
}

func newWebFiles(fsys fs.FS) *webFiles {
	return &webFiles{fsys: fsys, files: map[string]*webFile{}}
}

// file returns the loaded file at name (a clean path without a leading
// slash), or nil when name is not a regular file. Only names found as regular
// files are kept, so no request can grow the set.
func (wf *webFiles) file(name string) *webFile {
	wf.mu.Lock()
	f := wf.files[name]
	wf.mu.Unlock()
	if f == nil {
		st, err := fs.Stat(wf.fsys, name)
		if err != nil || !st.Mode().IsRegular() {
			return nil
		}
		wf.mu.Lock()
		if f = wf.files[name]; f == nil {
			f = &webFile{}
			wf.files[name] = f
		}
		wf.mu.Unlock()
	}
	f.once.Do(func() { f.err = f.load(wf.fsys, name) })
	if f.err != nil {
		return nil
	}
	return f
}

func (f *webFile) load(fsys fs.FS, name string) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	f.plain = b
	f.ctype = mime.TypeByExtension(path.Ext(name))
	if f.ctype == "" {
		f.ctype = http.DetectContentType(b)
	}
	sum := sha256.Sum256(b)
	f.etag = base64.RawURLEncoding.EncodeToString(sum[:18])
	if len(b) < minCompress || !compressible(f.ctype) {
		return nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	f.gz = buf.Bytes()
	return nil
}

func compressible(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	for _, t := range webCompressTypes {
		if strings.TrimSpace(mt) == t {
			return true
		}
	}
	return false
}

// serve answers r with f: gzip-encoded when the client accepts it (whole:
// a range is served of the plain file only), 304 when its If-None-Match names
// the representation, headers alone for HEAD (with the Content-Length GET
// would have). The browser revalidates every time (no-cache): the files'
// names carry no version.
func (f *webFile) serve(w http.ResponseWriter, r *http.Request, name string) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	body, etag := f.plain, f.etag
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = f.gz, f.etag+"-gz"
			h.Set("Content-Encoding", "gzip")
			// ServeContent leaves the length of an encoded body to the
			// server, which gives none to HEAD; ranges of it are not offered.
			h.Set("Content-Length", strconv.Itoa(len(body)))
			r.Header.Del("Range")
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}
