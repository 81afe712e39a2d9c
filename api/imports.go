package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// ImportRequest is one upload to import into a dataset.
type ImportRequest struct {
	Dataset *kume.Dataset
	// Format is the format the upload's Content-Type says ("csv", "geojson",
	// "ndjson"), "" when it says none; a format option wins.
	Format string
	// Options are the import options given as query parameters, by name
	// (see Importer.Options).
	Options map[string][]string
	Body    io.Reader
	// Rejects receives every rejected row as CSV, as "kume import --rejects"
	// writes them.
	Rejects io.Writer
}

// ImportProgress is how far an import has come.
type ImportProgress struct {
	Rows     int `json:"rows"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
}

// ImportReject is a row the import refused and why.
type ImportReject struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// ImportResult is what a finished import reports.
type ImportResult struct {
	Stats    kume.ImportStats `json:"stats"`
	Accepted int              `json:"accepted"`
	Rejected int              `json:"rejected"`
	// Rejects lists the first rejects; RejectsOmitted counts those left out
	// of the list, and RejectsURL is where all of them are, as CSV.
	Rejects          []ImportReject `json:"rejects"`
	RejectsOmitted   int            `json:"rejects_omitted"`
	RejectsURL       string         `json:"rejects_url,omitempty"`
	RejectsTruncated bool           `json:"rejects_truncated,omitempty"`
	DryRun           bool           `json:"dry_run,omitempty"`
	// Summary is the whole summary of the import, as "kume import --json"
	// prints it: the columns used, national codes read, geocoded rows.
	Summary json.RawMessage `json:"summary,omitempty"`
}

// ImportOption is one import option an upload takes as a query parameter:
// the same options as the flags of "kume import".
type ImportOption struct {
	Name    string `json:"name"`
	Arg     string `json:"arg,omitempty"`
	Default string `json:"default,omitempty"`
	Help    string `json:"help"`
	Repeat  bool   `json:"repeat,omitempty"`
}

// Importer runs an import with the same code and semantics as "kume import",
// reporting progress as it goes.
type Importer interface {
	// Options lists the import options.
	Options() []ImportOption
	// Check checks options before the upload is read: EINVALID naming the
	// option that is wrong.
	Check(opts map[string][]string) error
	Import(ctx context.Context, req ImportRequest, progress func(ImportProgress)) (ImportResult, error)
}

// maxRejectsBytes caps the gzip-compressed CSV of an import's rejects that
// its job keeps.
const maxRejectsBytes = 32 << 20

func (s *Server) mountImports(r chi.Router) {
	r.With(s.need(kume.ScopeWrite)).Post("/datasets/{id}/imports", s.handleCreateImport)
	r.With(s.need(kume.ScopeWrite)).Get("/imports/{job}", s.handleImport)
	r.With(s.need(kume.ScopeWrite)).Get("/imports/{job}/rejects", s.handleImportRejects)
	s.mountJobs(r)
}

// uploadFormat returns the import format of a request's content type; ""
// for application/octet-stream, which needs the format option.
func uploadFormat(r *http.Request) (string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	bad := kume.Errorf(kume.EINVALID, "Content-Type must be text/csv, application/geo+json, application/x-ndjson or, with the format option, application/octet-stream")
	if err != nil {
		return "", bad
	}
	switch mt {
	case "text/csv":
		return "csv", nil
	case "application/geo+json", "application/json":
		return "geojson", nil
	case "application/x-ndjson", "application/geo+json-seq":
		return "ndjson", nil
	case "application/octet-stream":
		return "", nil
	}
	return "", bad
}

// importOptions reads the import options of the query string: each known
// option at most once (map as often as needed); anything else is a 400.
func (s *Server) importOptions(r *http.Request) (map[string][]string, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, kume.Errorf(kume.EINVALID, "malformed query string")
	}
	specs := s.api.deps.Importer.Options()
	names := make([]string, len(specs))
	for i, o := range specs {
		names[i] = o.Name
	}
	var unknown []string
	out := map[string][]string{}
	for k, vals := range v {
		i := slices.Index(names, k)
		switch {
		case i < 0:
			unknown = append(unknown, safeName(k))
		case len(vals) > 1 && !specs[i].Repeat:
			return nil, kume.Errorf(kume.EINVALID, "query parameter %q given more than once", k)
		default:
			out[k] = vals
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, kume.Errorf(kume.EINVALID, "unknown query parameter(s): %s (import options: %s)", strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	return out, s.api.deps.Importer.Check(out)
}

// handleCreateImport checks the options and that the caller may write the
// dataset (a write grant on it, or an admin key), spools the uploaded file
// (capped at MaxUploadBytes) and starts an import job; the job's state is at
// GET /imports/{job}.
func (s *Server) handleCreateImport(w http.ResponseWriter, r *http.Request) {
	if s.api.deps.Importer == nil {
		s.writeError(w, r, kume.Errorf(kume.ENOTSUPPORTED, "imports are not configured"))
		return
	}
	opts, err := s.importOptions(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format, err := uploadFormat(r)
	if err == nil && format == "" && len(opts["format"]) == 0 {
		err = kume.Errorf(kume.EINVALID, "an application/octet-stream upload needs the format option (csv, geojson or ndjson)")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	ds, err := s.view(r).writable(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	file, err := s.spool(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.startJob(ctx, kume.Job{ID: newJobID(), Kind: kume.JobImport, Owner: CallerKey(r.Context()).ID, DatasetID: ds.ID, Options: opts})
	if err != nil {
		file.Close()
		os.Remove(file.Name())
		s.writeError(w, r, err)
		return
	}
	queued := t.job // the job goroutine owns t from now on
	go s.runImport(t, ImportRequest{Dataset: ds, Format: format, Options: opts}, file)
	w.Header().Set("Location", "/api/v1/imports/"+queued.ID)
	writeJSON(w, http.StatusAccepted, presentJob(queued, queued.CreatedAt))
}

// spool copies the capped request body into a temporary file.
func (s *Server) spool(w http.ResponseWriter, r *http.Request) (*os.File, error) {
	s.limitBody(w, r, s.api.cfg.MaxUploadBytes)
	f, err := os.CreateTemp("", "kume-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	n, err := io.Copy(f, r.Body)
	if err == nil && n == 0 {
		err = kume.Errorf(kume.EINVALID, "the upload is empty")
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		var ke *kume.Error
		if errors.As(err, &ke) {
			return nil, err
		}
		return nil, bodyError(err)
	}
	return f, nil
}

// cappedBuffer keeps what is written up to its cap and drops the rest,
// noting that it did.
type cappedBuffer struct {
	bytes.Buffer
	cap       int
	truncated bool
}

// Write implements io.Writer; it never fails.
func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.cap - b.Len(); len(p) > room {
		b.truncated = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// runImport runs one job to its end. It outlives the request that started
// it but not the configured export timeout.
func (s *Server) runImport(t *jobTracker, req ImportRequest, file *os.File) {
	defer os.Remove(file.Name())
	defer file.Close()
	ctx, cancel := context.WithTimeout(context.Background(), s.api.cfg.ExportTimeout)
	defer cancel()
	t.running(ctx)
	rejects := &cappedBuffer{cap: maxRejectsBytes}
	zw := gzip.NewWriter(rejects)
	req.Body, req.Rejects = file, zw
	res, err := s.api.deps.Importer.Import(ctx, req, func(p ImportProgress) { t.progress(ctx, p) })
	s.api.metrics.ImportRows(res.Accepted, res.Rejected)
	if err != nil && kume.ErrorCode(err) == kume.EINTERNAL {
		s.log.Error("import failed", slog.String("job", t.job.ID), slog.Any("err", err))
	}
	if cerr := zw.Close(); cerr != nil && err == nil {
		err = cerr
	}
	var keep []byte
	if res.Rejected > 0 {
		keep = rejects.Bytes()
		res.RejectsURL = "/api/v1/imports/" + t.job.ID + "/rejects"
		res.RejectsTruncated = rejects.truncated
	}
	if res.Rejects == nil {
		res.Rejects = []ImportReject{}
	}
	t.progress(ctx, ImportProgress{Rows: res.Accepted + res.Rejected, Accepted: res.Accepted, Rejected: res.Rejected})
	t.finish(ctx, res, err, keep)
}

// handleImport returns an import job: status, progress and result. A job of
// another key, or of a dataset the key may no longer read, is not found (an
// admin key sees every job).
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := s.readJob(r, kume.JobImport)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, presentJob(*j, time.Now()))
}

// handleImportRejects returns every row an import job rejected, as CSV: the
// original fields and reject_source, reject_line, reject_column and
// reject_reason.
func (s *Server) handleImportRejects(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := s.readJob(r, kume.JobImport)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(j.Rejects) == 0 {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "the job has no rejected rows (yet)"))
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(j.Rejects))
	if err != nil {
		s.writeError(w, r, fmt.Errorf("rejects of job %s: %w", j.ID, err))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="rejects-`+j.ID+`.csv"`)
	if _, err := io.Copy(w, zr); err != nil {
		s.log.Warn("sending rejects", slog.String("job", j.ID), slog.Any("err", err))
	}
}
