package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// ImportRequest is one upload to import into a dataset.
type ImportRequest struct {
	Dataset *kume.Dataset
	// Format is "csv" or "geojson".
	Format  string
	Body    io.Reader
	Replace bool
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
	Rejects  []ImportReject   `json:"rejects"`
}

// Importer runs an import with the same code and semantics as "kume import",
// reporting progress as it goes.
type Importer interface {
	Import(ctx context.Context, req ImportRequest, progress func(ImportProgress)) (ImportResult, error)
}

// Job states.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// importJob is the state of one import, readable by the key that started it.
type importJob struct {
	ID        string         `json:"id"`
	DatasetID int64          `json:"dataset_id"`
	Status    string         `json:"status"`
	Progress  ImportProgress `json:"progress"`
	Result    *ImportResult  `json:"result,omitempty"`
	Error     *errorBody     `json:"error,omitempty"`
	Created   time.Time      `json:"created_at"`
	owner     int64
}

// jobs keeps import jobs in memory.
type jobs struct {
	mu   sync.Mutex
	byID map[string]*importJob
}

func newJobs() *jobs { return &jobs{byID: map[string]*importJob{}} }

func (j *jobs) add(job *importJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.byID[job.ID] = job
}

// get returns a copy of a job owned by key id owner.
func (j *jobs) get(id string, owner int64) (importJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.byID[id]
	if !ok || job.owner != owner {
		return importJob{}, false
	}
	return *job, true
}

func (j *jobs) update(id string, fn func(*importJob)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if job, ok := j.byID[id]; ok {
		fn(job)
	}
}

var jobIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Server) mountImports(r chi.Router) {
	r.With(s.need(kume.ScopeWrite)).Post("/datasets/{id}/imports", s.handleCreateImport)
	r.With(s.need(kume.ScopeWrite)).Get("/imports/{job}", s.handleImport)
}

// uploadFormat returns the import format of a request's content type.
func uploadFormat(r *http.Request) (string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", kume.Errorf(kume.EINVALID, "Content-Type must be text/csv or application/geo+json")
	}
	switch mt {
	case "text/csv":
		return "csv", nil
	case "application/geo+json", "application/json":
		return "geojson", nil
	}
	return "", kume.Errorf(kume.EINVALID, "Content-Type must be text/csv or application/geo+json")
}

// handleCreateImport spools the uploaded file (capped at MaxUploadBytes) and
// starts an import job; the job's state is at GET /imports/{job}.
func (s *Server) handleCreateImport(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "replace")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	replace, err := p.bool("replace")
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
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.api.deps.Importer == nil {
		s.writeError(w, r, kume.Errorf(kume.ENOTSUPPORTED, "imports are not configured"))
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	ds, err := s.store.Dataset(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	file, err := s.spool(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	job := &importJob{ID: newJobID(), DatasetID: ds.ID, Status: JobQueued, Created: time.Now().UTC(), owner: CallerKey(r.Context()).ID}
	s.api.jobs.add(job)
	go s.runImport(job.ID, ImportRequest{Dataset: ds, Format: format, Replace: replace}, file)
	w.Header().Set("Location", "/api/v1/imports/"+job.ID)
	writeJSON(w, http.StatusAccepted, job)
}

// spool copies the capped request body into a temporary file.
func (s *Server) spool(w http.ResponseWriter, r *http.Request) (*os.File, error) {
	limitBody(w, r, s.api.cfg.MaxUploadBytes)
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

func newJobID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// runImport runs one job to its end. It outlives the request that started
// it but not the configured export timeout.
func (s *Server) runImport(id string, req ImportRequest, file *os.File) {
	defer os.Remove(file.Name())
	defer file.Close()
	ctx, cancel := context.WithTimeout(context.Background(), s.api.cfg.ExportTimeout)
	defer cancel()
	s.api.jobs.update(id, func(j *importJob) { j.Status = JobRunning })
	req.Body = file
	res, err := s.api.deps.Importer.Import(ctx, req, func(p ImportProgress) {
		s.api.jobs.update(id, func(j *importJob) { j.Progress = p })
	})
	s.api.metrics.ImportRows(res.Accepted, res.Rejected)
	s.api.jobs.update(id, func(j *importJob) {
		if err != nil {
			j.Status = JobFailed
			j.Error = &errorBody{Code: kume.ErrorCode(err), Message: kume.ErrorMessage(err)}
			if kume.ErrorCode(err) == kume.EINTERNAL {
				s.log.Error("import failed", slog.String("job", id), slog.Any("err", err))
			}
		} else {
			j.Status = JobSucceeded
		}
		if res.Rejects == nil {
			res.Rejects = []ImportReject{}
		}
		j.Result = &res
		j.Progress = ImportProgress{Rows: res.Accepted + res.Rejected, Accepted: res.Accepted, Rejected: res.Rejected}
	})
}

// handleImport returns a job's status, progress and rejected rows. A job of
// another key is not found.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := chi.URLParam(r, "job")
	job, ok := s.api.jobs.get(id, CallerKey(r.Context()).ID)
	if !jobIDRE.MatchString(id) || !ok {
		s.writeError(w, r, kume.Errorf(kume.ENOTFOUND, "no such import job"))
		return
	}
	writeJSON(w, http.StatusOK, job)
}
