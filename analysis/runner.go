// Package analysis runs kume's analytics over a store's data: it streams the
// establishments out of the store with its regions and the value chains in
// force (the saved ones, else the shipped ones: layer.Sectors), runs
// geo.AnalyzeTo and streams the cell statistics back into the store while
// they are computed (kume.AnalysisStreamer), committing them with the
// clusters and region statistics as a new data version. One run at a time;
// requests that arrive while a run is going are coalesced into one more run
// after it. Progress is observable, so the HTTP API can show it.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/nace"
)

// Status is the observable state of the runner.
type Status struct {
	Running  bool      `json:"running"`
	Pending  bool      `json:"pending"`
	Stage    string    `json:"stage,omitempty"`
	Done     int       `json:"done"`
	Total    int       `json:"total"`
	Started  time.Time `json:"started,omitzero"`
	Version  int64     `json:"version"` // data version of the last completed run (0 before)
	Seconds  float64   `json:"seconds"` // duration of the last completed run
	Cells    int       `json:"cells"`   // cell statistics of the last completed run
	LastErr  string    `json:"last_error,omitempty"`
	Finished time.Time `json:"finished,omitzero"`
}

// Runner runs analyses against one store.
type Runner struct {
	store  kume.Store
	tax    *nace.Taxonomy
	chains *layer.Sectors // the value chains in force
	params geo.Params
	filter kume.EstablishmentFilter
	log    *slog.Logger
	// OnSaved, when set, is called after a run saved a new version.
	onSaved func(ctx context.Context, r *kume.AnalysisResult)
	onRun   func(ctx context.Context, st Status, err error)

	mu      sync.Mutex
	status  Status
	wake    chan struct{}
	stopped chan struct{}
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
	// IncludePrivate analyses private datasets too. Off by default: the
	// results feed public tiles, exports and rankings, where a private
	// dataset must never show, not even in aggregates.
	IncludePrivate bool
	Log            *slog.Logger
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
		filter: kume.EstablishmentFilter{PublicOnly: !cfg.IncludePrivate, Lean: true}}, nil
}

// Run runs one analysis now, in the caller's goroutine, and returns the saved
// result. The cell statistics went to the store while they were computed, so
// the result's Cells are empty (Status().Cells counts them); the store may
// keep its clusters and region statistics (kume.AnalysisWriter.Commit), so
// callers may read the result but must not modify it.
func (r *Runner) Run(ctx context.Context) (*kume.AnalysisResult, error) {
	r.mu.Lock()
	if r.status.Running {
		r.mu.Unlock()
		return nil, kume.Errorf(kume.ECONFLICT, "an analysis is already running")
	}
	r.status.Running, r.status.Started, r.status.Stage = true, time.Now().UTC(), "load"
	r.mu.Unlock()
	r.report(ctx, nil)
	res, cells, err := r.run(ctx)
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

// Request asks the background loop for a run. Requests made while a run is
// going are coalesced into one more run. It returns an error when Start was
// not called.
func (r *Runner) Request() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake == nil {
		return kume.Errorf(kume.EUNAVAILABLE, "the analysis runner is not started")
	}
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
		r.mu.Lock()
		r.status.Pending = false
		r.mu.Unlock()
		if _, err := r.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			r.log.Error("analysis failed", "err", err)
		}
	}
}

func (r *Runner) progress(stage string, done, total int) {
	r.mu.Lock()
	r.status.Stage, r.status.Done, r.status.Total = stage, done, total
	r.mu.Unlock()
}

// run loads the inputs, analyses and saves; it returns the saved result and
// the number of its cell statistics.
func (r *Runner) run(ctx context.Context) (*kume.AnalysisResult, int, error) {
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
	in.Establishments = r.establishments(ctx, &loadErr, clock)
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
	res, cells, err := r.analyse(ctx, in, progress, saving, &loadErr)
	if err != nil {
		return nil, 0, err
	}
	clock.stage("")
	r.log.Info("analysis saved", "version", res.Run.Version, "cells", cells,
		"clusters", len(res.Clusters), "seconds", time.Since(started).Seconds())
	if r.onSaved != nil {
		r.onSaved(ctx, res)
	}
	return res, cells, nil
}

// analyse runs geo and saves its result, the one way an analysis is saved:
// the cell statistics go to the store as geo computes them, batch by batch
// (kume.AnalysisStreamer), and the commit adds the clusters and region
// statistics. saving is called when the commit starts. A failed load of the
// establishments (*loadErr) fails the run before anything is committed.
func (r *Runner) analyse(ctx context.Context, in geo.Input, progress func(string, int, int), saving func(),
	loadErr *error) (*kume.AnalysisResult, int, error) {
	sink := &storeSink{ctx: ctx, st: r.store}
	defer sink.abort()
	res, err := geo.AnalyzeTo(ctx, in, r.params, progress, sink)
	if err := loadFailed(*loadErr, err); err != nil {
		return nil, 0, err
	}
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

// establishments streams the store's establishments; a store error ends the
// stream and is left in *errp.
// The rows go to the analysis as the store hands them out, without a copy.
// clock, when timing, is told how long the store took.
func (r *Runner) establishments(ctx context.Context, errp *error, clock *stageClock) iter.Seq[*kume.Establishment] {
	return func(yield func(*kume.Establishment) bool) {
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
		err := r.store.EachEstablishment(ctx, r.filter, each)
		if err != nil && !errors.Is(err, stop) {
			*errp = err
		}
		clock.streamDone()
	}
}
