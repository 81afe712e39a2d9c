package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/api"
)

// analysisJobs keeps a job (kume.JobStore) for every analysis run of a
// server: a request through the API makes a queued job, or joins the one
// already queued for its scope (requests are coalesced into one run of each
// scope); the run's start
// makes it running (a run the server requested by itself, after an import or
// a change of the data, gets a job of its own), its end succeeded or failed.
// While a run goes on its job is written every jobHeartbeat with the run's
// progress, so that it is not taken for one whose server stopped.
type analysisJobs struct {
	store     kume.JobStore
	log       *slog.Logger
	retention time.Duration
	status    func() analysis.Status // the runner's

	mu      sync.Mutex
	queued  map[kume.AnalysisScope]*kume.Job
	running *kume.Job
	stop    chan struct{}
}

// analysisHeartbeat is how often a running analysis job is written.
const analysisHeartbeat = 20 * time.Second

// analysisProgress is the progress of an analysis job.
type analysisProgress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// analysisResult is the result of an analysis job: the version saved, and
// the datasets the run read and those it left out, and why.
type analysisResult struct {
	Version  int64                  `json:"version"`
	Cells    int                    `json:"cells"`
	Seconds  float64                `json:"seconds"`
	Scope    kume.AnalysisScope     `json:"scope"`
	Datasets []kume.AnalysisDataset `json:"datasets"`
	Omitted  []kume.AnalysisDataset `json:"omitted,omitempty"`
}

// request returns the queued job of scope for a request by the key owner,
// making it when none is queued.
func (a *analysisJobs) request(ctx context.Context, owner int64, scope kume.AnalysisScope) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	scope = scope.Norm()
	if j := a.queued[scope]; j != nil {
		return j.ID, nil
	}
	now := time.Now().UTC()
	j := &kume.Job{ID: api.NewJobID(), Kind: kume.JobAnalysis, Status: kume.JobQueued, Owner: owner, CreatedAt: now, UpdatedAt: now,
		Options: map[string][]string{"scope": {string(scope)}}}
	if err := a.store.PutJob(ctx, j); err != nil {
		return "", err
	}
	if a.queued == nil {
		a.queued = map[kume.AnalysisScope]*kume.Job{}
	}
	a.queued[scope] = j
	return j.ID, nil
}

// current returns the id of the running job, "" when none runs.
func (a *analysisJobs) current() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running == nil {
		return ""
	}
	return a.running.ID
}

// onRun is analysis.Config.OnRun.
func (a *analysisJobs) onRun(ctx context.Context, st analysis.Status, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	now := time.Now().UTC()
	if st.Running {
		scope := st.Scope.Norm()
		j := a.queued[scope]
		if j == nil {
			j = &kume.Job{ID: api.NewJobID(), Kind: kume.JobAnalysis, CreatedAt: now,
				Options: map[string][]string{"scope": {string(scope)}}}
		}
		delete(a.queued, scope)
		a.running = j
		j.Status = kume.JobRunning
		a.writeLocked(ctx, j, st)
		a.stop = make(chan struct{})
		go a.heartbeat(ctx, j.ID, a.stop)
		if _, err := a.store.DeleteJobs(ctx, now.Add(-a.retention)); err != nil {
			a.log.Warn("expiring jobs", slog.Any("err", err))
		}
		return
	}
	j := a.running
	if j == nil {
		return
	}
	close(a.stop)
	a.running = nil
	j.Status, j.FinishedAt = kume.JobSucceeded, &now
	switch {
	case errors.Is(err, context.Canceled):
		// The server stopped during the run (kume serve's context ended).
		j.Status, j.Error = kume.JobFailed, &kume.JobError{Code: kume.EUNAVAILABLE, Message: "cancelled: the server stopped during the run"}
	case err != nil:
		j.Status, j.Error = kume.JobFailed, &kume.JobError{Code: kume.ErrorCode(err), Message: kume.ErrorMessage(err)}
	default:
		if b, merr := json.Marshal(analysisResult{Version: st.Version, Cells: st.Cells, Seconds: st.Seconds,
			Scope: st.Scope, Datasets: st.Datasets, Omitted: st.Omitted}); merr == nil {
			j.Result = b
		}
	}
	a.writeLocked(ctx, j, st)
}

// heartbeat writes the running job until stop is closed.
func (a *analysisJobs) heartbeat(ctx context.Context, id string, stop chan struct{}) {
	t := time.NewTicker(analysisHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		st := a.status()
		a.mu.Lock()
		if a.running != nil && a.running.ID == id {
			a.writeLocked(ctx, a.running, st)
		}
		a.mu.Unlock()
	}
}

// writeLocked writes the job with the run's progress; a.mu is held. A
// failed write is logged: the run goes on.
func (a *analysisJobs) writeLocked(ctx context.Context, j *kume.Job, st analysis.Status) {
	if b, err := json.Marshal(analysisProgress{Stage: st.Stage, Done: st.Done, Total: st.Total}); err == nil {
		j.Progress = b
	}
	j.UpdatedAt = time.Now().UTC()
	if err := a.store.PutJob(ctx, j); err != nil {
		a.log.Error("writing an analysis job", slog.String("job", j.ID), slog.Any("err", err))
	}
}
