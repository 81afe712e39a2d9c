// Package analysis runs kume's analytics over a store's data: it streams the
// establishments of the datasets of one analysis scope (kume.AnalysisScope)
// with the regions and the value chains in force (the saved ones, else the
// shipped ones: layer.Sectors), runs geo.AnalyzeTo and streams the cell
// statistics back into the store while they are computed
// (kume.AnalysisStreamer), committing them with the clusters and region
// statistics as the scope's new data version, recording which datasets it
// read and which it left out, and why. One run at a time; requests that
// arrive while a run is going are coalesced into one more run of each scope
// after it. Progress is observable, so the HTTP API can show it.
package analysis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/nace"
)

// Status is the observable state of the runner.
type Status struct {
	Running bool `json:"running"`
	Pending bool `json:"pending"`
	// Scope is the scope of the run going on, or else of the last one.
	Scope    kume.AnalysisScope `json:"scope,omitempty"`
	Stage    string             `json:"stage,omitempty"`
	Done     int                `json:"done"`
	Total    int                `json:"total"`
	Started  time.Time          `json:"started,omitzero"`
	Version  int64              `json:"version"` // data version of the last completed run (0 before)
	Seconds  float64            `json:"seconds"` // duration of the last completed run
	Cells    int                `json:"cells"`   // cell statistics of the last completed run
	LastErr  string             `json:"last_error,omitempty"`
	Finished time.Time          `json:"finished,omitzero"`
	// Datasets and Omitted are the datasets the last completed run read and
	// those it left out, with why (see kume.AnalysisRun).
	Datasets []kume.AnalysisDataset `json:"datasets,omitempty"`
	Omitted  []kume.AnalysisDataset `json:"omitted,omitempty"`
}

// Runner runs analyses against one store.
type Runner struct {
	store  kume.Store
	tax    *nace.Taxonomy
	chains *layer.Sectors // the value chains in force
	params geo.Params
	log    *slog.Logger
	// OnSaved, when set, is called after a run saved a new version.
	onSaved func(ctx context.Context, r *kume.AnalysisResult)
	onRun   func(ctx context.Context, st Status, err error)

	mu     sync.Mutex
	status Status
	// pending are the scopes requested for the next runs; pendingAll asks
	// for every scope the store holds as well (RequestAll).
	pending    map[kume.AnalysisScope]bool
	pendingAll bool
	wake       chan struct{}
	stopped    chan struct{}
}

// Config configures a Runner.
type Config struct {
	Params geo.Params
	// OnSaved is called after each saved run (e.g. to invalidate tiles).
	// The result may share memory with the store (see Run): read it only.
	OnSaved func(ctx context.Context, r *kume.AnalysisResult)
	// OnRun, when set, is called as a run starts (Status.Running set) and
	// as it ends (with its error, nil when it saved): e.g. to keep a record
	// of the runs.
	OnRun func(ctx context.Context, st Status, err error)
	Log   *slog.Logger
}

// New returns a runner for store using the NACE taxonomy tax.
func New(store kume.Store, tax *nace.Taxonomy, cfg Config) (*Runner, error) {
	if err := cfg.Params.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	chains, err := layer.NewSectors(tax, store)
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	return &Runner{store: store, tax: tax, chains: chains, params: cfg.Params, log: log, onSaved: cfg.OnSaved, onRun: cfg.OnRun,
		pending: map[kume.AnalysisScope]bool{}}, nil
}

// Run runs one analysis of scope ("" is kume.AnalysisPublic) now, in the
// caller's goroutine, and returns the saved result. The cell statistics went
// to the store while they were computed, so the result's Cells are empty
// (Status().Cells counts them); the store may keep its clusters and region
// statistics (kume.AnalysisWriter.Commit), so callers may read the result
// but must not modify it. The result's run records the datasets it read and
// those it left out.
func (r *Runner) Run(ctx context.Context, scope kume.AnalysisScope) (*kume.AnalysisResult, error) {
	scope = scope.Norm()
	if err := scope.Check(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.status.Running {
		r.mu.Unlock()
		return nil, kume.Errorf(kume.ECONFLICT, "an analysis is already running")
	}
	r.status.Running, r.status.Started, r.status.Stage, r.status.Scope = true, time.Now().UTC(), "load", scope
	r.mu.Unlock()
	r.report(ctx, nil)
	res, cells, err := r.run(ctx, scope)
	defer r.report(ctx, err) // after the unlock below
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.Running, r.status.Stage = false, ""
	r.status.Finished = time.Now().UTC()
	if err != nil {
		r.status.LastErr = kume.ErrorMessage(err)
		return nil, err
	}
	r.status.LastErr = ""
	r.status.Version, r.status.Cells = res.Run.Version, cells
	r.status.Datasets, r.status.Omitted = res.Run.Datasets, res.Run.Omitted
	r.status.Seconds = r.status.Finished.Sub(r.status.Started).Seconds()
	return res, nil
}

// report tells Config.OnRun about the run.
func (r *Runner) report(ctx context.Context, err error) {
	if r.onRun != nil {
		r.onRun(ctx, r.Status(), err)
	}
}

// Status returns the runner's current state.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Start runs the background loop that performs requested runs until ctx is
// done. Request triggers a run.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	if r.wake != nil {
		r.mu.Unlock()
		return
	}
	r.wake = make(chan struct{}, 1)
	r.stopped = make(chan struct{})
	r.mu.Unlock()
	go r.loop(ctx)
}

// Wait blocks until the background loop has stopped (after ctx of Start is done).
func (r *Runner) Wait() {
	r.mu.Lock()
	stopped := r.stopped
	r.mu.Unlock()
	if stopped != nil {
		<-stopped
	}
}

// Request asks the background loop for a run of each scope (none: the
// public analysis). Requests made while a run is going are coalesced into
// one more run of each scope. It returns an error when Start was not called
// or a scope is malformed.
func (r *Runner) Request(scopes ...kume.AnalysisScope) error {
	if len(scopes) == 0 {
		scopes = []kume.AnalysisScope{kume.AnalysisPublic}
	}
	for _, sc := range scopes {
		if err := sc.Check(); err != nil {
			return err
		}
	}
	return r.request(func() {
		for _, sc := range scopes {
			r.pending[sc.Norm()] = true
		}
	})
}

// RequestAll asks the background loop for a run of the public analysis and
// of every other scope the store holds an analysis of when the runs start:
// what a change of the data calls for.
func (r *Runner) RequestAll() error {
	return r.request(func() { r.pendingAll = true })
}

// request records a request with add, under the lock, and wakes the loop.
func (r *Runner) request(add func()) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake == nil {
		return kume.Errorf(kume.EUNAVAILABLE, "the analysis runner is not started")
	}
	add()
	r.status.Pending = true
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

func (r *Runner) loop(ctx context.Context) {
	defer close(r.stopped)
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		for _, scope := range r.takePending(ctx) {
			if ctx.Err() != nil {
				return
			}
			if _, err := r.Run(ctx, scope); err != nil && !errors.Is(err, context.Canceled) {
				r.log.Error("analysis failed", "scope", scope, "err", err)
			}
		}
	}
}

// takePending returns the scopes requested, the public one first, and clears
// the requests; pending stays set while any is left (a request that comes
// meanwhile wakes the loop again).
func (r *Runner) takePending(ctx context.Context) []kume.AnalysisScope {
	r.mu.Lock()
	set, all := r.pending, r.pendingAll
	r.pending, r.pendingAll = map[kume.AnalysisScope]bool{}, false
	r.mu.Unlock()
	if all {
		set[kume.AnalysisPublic] = true
		runs, err := r.store.Analyses(ctx)
		if err != nil {
			r.log.Error("listing the analyses to run again", "err", err)
		}
		for _, run := range runs {
			set[run.Scope.Norm()] = true
		}
	}
	out := make([]kume.AnalysisScope, 0, len(set))
	for sc := range set {
		out = append(out, sc)
	}
	first := func(s kume.AnalysisScope) int {
		if s == kume.AnalysisPublic {
			return 0
		}
		return 1
	}
	slices.SortFunc(out, func(a, b kume.AnalysisScope) int {
		return cmp.Or(cmp.Compare(first(a), first(b)), strings.Compare(string(a), string(b)))
	})
	r.mu.Lock()
	r.status.Pending = len(r.pending) > 0 || r.pendingAll
	r.mu.Unlock()
	return out
}

func (r *Runner) progress(stage string, done, total int) {
	r.mu.Lock()
	r.status.Stage, r.status.Done, r.status.Total = stage, done, total
	r.mu.Unlock()
}

// run loads the inputs of scope, analyses and saves; it returns the saved
// result and the number of its cell statistics.
func (r *Runner) run(ctx context.Context, scope kume.AnalysisScope) (*kume.AnalysisResult, int, error) {
	pl, err := r.plan(ctx, scope)
	if err != nil {
		return nil, 0, err
	}
	regions, err := r.store.Regions(ctx, kume.RegionFilter{})
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: regions: %w", err)
	}
	chains, err := r.chains.ChainsInForce(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: %w", err)
	}
	in, err := NewInput(r.tax, chains)
	if err != nil {
		return nil, 0, err
	}
	var loadErr error
	clock := newStageClock(ctx, r.log)
	in.Establishments = r.establishments(ctx, pl, &loadErr, clock)
	in.Regions = regions
	started := time.Now()
	progress := func(stage string, done, total int) {
		clock.stage(stage)
		r.progress(stage, done, total)
	}
	saving := func() {
		clock.stage("save")
		r.progress("save", 0, 1)
	}
	res, cells, err := r.analyse(ctx, in, pl, progress, saving, &loadErr)
	if err != nil {
		return nil, 0, err
	}
	clock.stage("")
	r.log.Info("analysis saved", "scope", scope, "version", res.Run.Version, "cells", cells,
		"clusters", len(res.Clusters), "datasets", len(pl.read), "omitted", len(pl.omitted),
		"seconds", time.Since(started).Seconds())
	if r.onSaved != nil {
		r.onSaved(ctx, res)
	}
	return res, cells, nil
}

// analyse runs geo and saves its result, the one way an analysis is saved:
// the cell statistics go to the store as geo computes them, batch by batch
// (kume.AnalysisStreamer), and the commit adds the clusters and region
// statistics and the datasets pl read. saving is called when the commit
// starts. A failed load of the establishments (*loadErr) fails the run
// before anything is committed.
func (r *Runner) analyse(ctx context.Context, in geo.Input, pl *plan, progress func(string, int, int), saving func(),
	loadErr *error) (*kume.AnalysisResult, int, error) {
	sink := &storeSink{ctx: ctx, st: r.store}
	defer sink.abort()
	res, err := geo.AnalyzeTo(ctx, in, r.params, progress, sink)
	if err := loadFailed(*loadErr, err); err != nil {
		return nil, 0, err
	}
	pl.record(&res.Run)
	saving()
	if _, err := sink.commit(res); err != nil {
		return nil, 0, fmt.Errorf("analysis: save: %w", err)
	}
	return res, sink.rows, nil
}

// loadFailed returns the error that ends a run after geo: the store's, when
// loading the establishments failed, else geo's.
func loadFailed(loadErr, err error) error {
	if loadErr != nil {
		return fmt.Errorf("analysis: establishments: %w", loadErr)
	}
	return err
}

// establishments streams the establishments of the datasets pl reads (none
// when it reads none); a store error ends the stream and is left in *errp.
// The rows go to the analysis as the store hands them out, without a copy.
// clock, when timing, is told how long the store took.
func (r *Runner) establishments(ctx context.Context, pl *plan, errp *error, clock *stageClock) iter.Seq[*kume.Establishment] {
	return func(yield func(*kume.Establishment) bool) {
		if len(pl.read) == 0 {
			clock.streamDone()
			return
		}
		stop := errors.New("stop")
		each := func(e *kume.Establishment) error {
			if !yield(e) {
				return stop
			}
			return nil
		}
		if clock.on {
			each = clock.timeStream(each)
		}
		err := r.store.EachEstablishment(ctx, pl.filter(), each)
		if err != nil && !errors.Is(err, stop) {
			*errp = err
		}
		clock.streamDone()
	}
}
