package analysis

import (
	"context"
	"log/slog"
	"time"

	"github.com/kume-geo/kume"
)

// stageClock logs, at debug level, how long each stage of a run took: the
// geo.Analyze stages, the time the store spent handing out establishments
// (within "ingest") and the save. When debug logging is off it does nothing
// and costs nothing per row.
type stageClock struct {
	on    bool
	log   *slog.Logger
	start time.Time // of the run
	name  string    // current stage
	since time.Time // start of the current stage
	// store is the time spent in the store's EachEstablishment outside the
	// callback; rows counts the rows it handed out.
	store time.Duration
	rows  int
	last  time.Time
}

func newStageClock(ctx context.Context, log *slog.Logger) *stageClock {
	now := time.Now()
	return &stageClock{on: log.Enabled(ctx, slog.LevelDebug), log: log, start: now, since: now, last: now}
}

// stage marks the start of a stage ("" ends the last one). Repeated calls
// for the same stage (progress reports) are ignored.
func (c *stageClock) stage(name string) {
	if !c.on || name == c.name {
		return
	}
	now := time.Now()
	if c.name != "" {
		c.log.Debug("analysis stage", "stage", c.name, "seconds", now.Sub(c.since).Seconds(),
			"elapsed", now.Sub(c.start).Seconds())
	}
	c.name, c.since = name, now
}

// timeStream wraps the per-row callback so that the time between two calls
// (the store's share) and the time inside it (the analysis's) are told
// apart.
func (c *stageClock) timeStream(fn func(*kume.Establishment) error) func(*kume.Establishment) error {
	c.last = time.Now()
	return func(e *kume.Establishment) error {
		t := time.Now()
		c.store += t.Sub(c.last)
		c.rows++
		err := fn(e)
		c.last = time.Now()
		return err
	}
}

// streamDone logs the store's share of the establishment stream.
func (c *stageClock) streamDone() {
	if !c.on {
		return
	}
	c.store += time.Since(c.last)
	c.log.Debug("analysis load", "rows", c.rows, "store_seconds", c.store.Seconds())
}
