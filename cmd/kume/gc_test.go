package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live, allowance uint64
		want            int
		roots           uint64 // stacks and globals
	}{
		{0, 1200 * mb, 40, 0},           // no collection yet
		{100 * mb, 1200 * mb, 1100, 0},  // grow to the allowance
		{800 * mb, 1200 * mb, 50, 0},    // still the allowance
		{900 * mb, 1200 * mb, 40, 0},    // 40% above the live data passes it
		{1200 * mb, 1200 * mb, 40, 0},   // at the allowance
		{3000 * mb, 1200 * mb, 40, 0},   // beyond it
		{1, 1200 * mb, maxGCPercent, 0}, // bounded
		{100 * mb, 0, 40, 0},            // no allowance
		{100 * mb, 100*mb + 1, 40, 0},   // a byte above the live data
		{10 * mb, 20 * mb, 100, 0},      // twice the live data
		{10 * mb, 25*mb - 1, 149, 0},    // rounded down
		{10 * mb, 10 * 1024 * mb, 102300, 0},
		{10 * mb, 1200 * mb, 5950, 10 * mb}, // the goal grows from the roots too
		{900 * mb, 1200 * mb, 40, 100 * mb},
	} {
		if got := gcPercentFor(gcSizes{live: c.live, stacks: c.roots / 2, globals: c.roots - c.roots/2}, c.allowance, 40); got != c.want {
			t.Errorf("gcPercentFor(%d, %d, 40) = %d, want %d", c.live, c.allowance, got, c.want)
		}
	}
}

// gcPercent returns the collector's current target percentage.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC() // some live data, so that the allowance gives a percentage
	noEnv := func(string) string { return "" }

	// An allowance far above the live data gives the bounded maximum.
	restore := tuneGC(noEnv, 40, 1<<40)
	if got := gcPercent(); got != maxGCPercent {
		t.Errorf("tuned target %d, want %d", got, maxGCPercent)
	}
	// The target is set again after a collection.
	debug.SetGCPercent(77)
	for i := 0; i < 200 && gcPercent() != maxGCPercent; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond) // the finalizer runs on its own goroutine
	}
	if got := gcPercent(); got != maxGCPercent {
		t.Errorf("target %d after collections, want %d set again", got, maxGCPercent)
	}
	restore()
	if got := gcPercent(); got != 100 {
		t.Errorf("restored target %d, want 100", got)
	}
	// After restore, collections leave the target alone.
	debug.SetGCPercent(66)
	for range 3 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if got := gcPercent(); got != 66 {
		t.Errorf("target %d after restore and collections, want 66", got)
	}

	// GOGC or GOMEMLIMIT in the environment: nothing changes.
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		debug.SetGCPercent(55)
		restore := tuneGC(func(k string) string {
			if k == env {
				return "1"
			}
			return ""
		}, 40, 1<<40)
		if got := gcPercent(); got != 55 {
			t.Errorf("with %s set: target %d, want 55", env, got)
		}
		restore()
	}
}
