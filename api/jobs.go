package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// Jobs are kept by the store (kume.JobStore), so that they survive a restart
// and several servers on one database see the same jobs. A running job
// writes its progress at most once a second and at least every
// jobHeartbeat; a queued or running job not written for jobStale is shown as
// failed (its server stopped before it finished). Finished jobs are deleted
// once they are older than APIConfig.JobRetention.
const (
	jobHeartbeat = 20 * time.Second
	jobStale     = 2 * time.Minute
)

// newJobID returns a random job id of 32 hexadecimal digits.
func newJobID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// NewJobID returns a random job id, for the jobs that the wiring records
// (analysis runs).
func NewJobID() string { return newJobID() }

// presentJob returns a job as a client sees it at now: a queued or running
// job that its server stopped writing is failed.
func presentJob(j kume.Job, now time.Time) kume.Job {
	if !j.Status.Finished() && now.Sub(j.UpdatedAt) > jobStale {
		j.Status = kume.JobFailed
		j.Error = &kume.JobError{Code: kume.EUNAVAILABLE, Message: "the job stopped without finishing (its server stopped); start it again"}
	}
	return j
}

func (s *Server) mountJobs(r chi.Router) {
	r.With(s.need(kume.ScopeWrite)).Get("/jobs", s.handleJobs)
	r.With(s.need(kume.ScopeWrite)).Get("/jobs/{job}", s.handleJob)
}

// handleJobs lists jobs, newest first: a write key's own of the datasets it
// may read, every job for an admin key.
func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "kind", "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := kume.JobFilter{Kind: kume.JobKind(p.v.Get("kind"))}
	if f.Kind != "" && !f.Kind.Valid() {
		s.writeError(w, r, invalid("kind", "must be import or analysis"))
		return
	}
	if f.Limit, err = p.limit(100, 1000); err != nil {
		s.writeError(w, r, err)
		return
	}
	if k := CallerKey(r.Context()); !k.Scope.Allows(kume.ScopeAdmin) {
		f.Owner, f.OwnerSet = k.ID, true
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	jobs, err := s.store.Jobs(ctx, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := time.Now()
	v, k := s.view(r), CallerKey(r.Context())
	out := make([]kume.Job, 0, len(jobs))
	for _, j := range jobs {
		if v.mayReadJob(ctx, k, &j) {
			out = append(out, presentJob(j, now))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out, "retention_days": s.api.cfg.JobRetention.Hours() / 24})
}

// handleJob returns one job. A job of another key is not found.
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	if _, err := parseParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := s.readJob(r, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, presentJob(*j, time.Now()))
}

// readJob reads the job of the request's {job} path parameter, of the given
// kind unless kind is "", as the caller may see it.
func (s *Server) readJob(r *http.Request, kind kume.JobKind) (*kume.Job, error) {
	id := chi.URLParam(r, "job")
	notFound := kume.Errorf(kume.ENOTFOUND, "no such job (finished jobs are kept %s)", s.api.cfg.JobRetention)
	if !kume.ValidJobID(id) {
		return nil, notFound
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	j, err := s.store.Job(ctx, id)
	if kume.ErrorCode(err) == kume.ENOTFOUND ||
		(err == nil && (!s.view(r).mayReadJob(ctx, CallerKey(r.Context()), j) || (kind != "" && j.Kind != kind))) {
		return nil, notFound
	}
	return j, err
}

// jobTracker writes one job to the store while it runs.
type jobTracker struct {
	s    *Server
	mu   sync.Mutex
	job  kume.Job
	last time.Time
	stop chan struct{}
	done sync.WaitGroup
}

// startJob stores a new queued job and removes the expired ones.
func (s *Server) startJob(ctx context.Context, j kume.Job) (*jobTracker, error) {
	now := time.Now().UTC()
	j.Status, j.CreatedAt, j.UpdatedAt = kume.JobQueued, now, now
	if err := s.store.PutJob(ctx, &j); err != nil {
		return nil, err
	}
	if n, err := s.store.DeleteJobs(ctx, now.Add(-s.api.cfg.JobRetention)); err != nil {
		s.log.Warn("expiring jobs", slog.Any("err", err))
	} else if n > 0 {
		s.log.Info("expired jobs deleted", slog.Int("jobs", n))
	}
	return &jobTracker{s: s, job: j, stop: make(chan struct{})}, nil
}

// running marks the job running and keeps writing it every jobHeartbeat
// until it finishes.
func (t *jobTracker) running(ctx context.Context) {
	t.mu.Lock()
	t.job.Status = kume.JobRunning
	t.writeLocked(ctx)
	t.mu.Unlock()
	t.done.Go(func() {
		tick := time.NewTicker(jobHeartbeat)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				t.mu.Lock()
				t.writeLocked(ctx)
				t.mu.Unlock()
			}
		}
	})
}

// progress records the job's progress, writing it at most once a second.
func (t *jobTracker) progress(ctx context.Context, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.job.Progress = b
	if time.Since(t.last) >= time.Second {
		t.writeLocked(ctx)
	}
}

// finish records the job's end: its result, its error (nil when it
// succeeded) and its rejects.
func (t *jobTracker) finish(ctx context.Context, result any, err error, rejects []byte) {
	close(t.stop)
	t.done.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	if b, merr := json.Marshal(result); merr == nil {
		t.job.Result = b
	}
	t.job.Status, t.job.Error, t.job.Rejects = kume.JobSucceeded, nil, rejects
	if err != nil {
		t.job.Status = kume.JobFailed
		t.job.Error = &kume.JobError{Code: kume.ErrorCode(err), Message: kume.ErrorMessage(err)}
	}
	now := time.Now().UTC()
	t.job.FinishedAt = &now
	t.writeLocked(ctx)
}

// writeLocked writes the job; t.mu is held. A failed write is logged: the
// job goes on, and its final write may succeed.
func (t *jobTracker) writeLocked(ctx context.Context) {
	t.job.UpdatedAt = time.Now().UTC()
	t.last = t.job.UpdatedAt
	if err := t.s.store.PutJob(context.WithoutCancel(ctx), &t.job); err != nil {
		t.s.log.Error("writing a job", slog.String("job", t.job.ID), slog.Any("err", err))
	}
}
