package postgis

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// TestReconnectBackoff: while the database answers every attempt is made;
// after a failure attempts are refused at once (EUNAVAILABLE, with the time
// to the next attempt) until the backoff has passed, then one is made and
// the backoff doubles, up to its maximum; a success ends the outage; a
// cancelled attempt or one that began before the last success changes
// nothing.
func TestReconnectBackoff(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	r := newReconnect(nil)
	r.now = func() time.Time { return now }
	r.jitter = func(d time.Duration) time.Duration { return d } // no jitter: exact steps
	refused := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

	for range 5 {
		if err := r.admit(); err != nil {
			t.Fatalf("healthy: %v", err)
		}
	}
	r.done(now, nil)
	r.done(now, refused)
	h := r.Health()
	if h.Reachable || !h.Since.Equal(now) || h.LastError != refused.Error() || h.Failures != 1 {
		t.Fatalf("after a failure: %+v", h)
	}
	// The backoff: 250 ms, then 500 ms, 1 s, ... up to 5 s.
	var waits []time.Duration
	for range 10 {
		err := r.admit()
		var ue *unreachableError
		if !errors.As(err, &ue) || kume.ErrorCode(err) != kume.EUNAVAILABLE {
			t.Fatalf("in the backoff: %v", err)
		}
		wait := ue.RetryAfter()
		waits = append(waits, wait)
		now = now.Add(wait)
		if err := r.admit(); err != nil {
			t.Fatalf("after the backoff: %v", err)
		}
		r.done(now, refused)
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
		4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	h = r.Health()
	if h.Attempts != 15 || h.Failures != 11 || h.Deferred != 10 {
		t.Errorf("counts %+v, want 15 attempts, 11 failures, 10 deferred", h)
	}
	// A cancelled attempt says nothing of the database.
	r.done(now, fmt.Errorf("connect: %w", context.Canceled))
	if r.Health().Failures != 11 {
		t.Error("a cancelled attempt counted as a failure")
	}
	// Success ends the outage; attempts flow again.
	start := now
	now = now.Add(5 * time.Second)
	if err := r.admit(); err != nil {
		t.Fatal(err)
	}
	r.done(now, nil)
	if h := r.Health(); !h.Reachable || !h.Since.IsZero() || h.LastError != "" {
		t.Errorf("after a success: %+v", h)
	}
	r.done(start, refused) // began before the success
	if !r.Health().Reachable {
		t.Error("a failure of an attempt older than the last success began an outage")
	}
	for range 3 {
		if err := r.admit(); err != nil {
			t.Fatalf("healthy again: %v", err)
		}
	}
}

// TestReconnectJitter: the default jitter keeps each wait between half and
// all of the backoff.
func TestReconnectJitter(t *testing.T) {
	r := newReconnect(nil)
	for range 1000 {
		if d := r.jitter(time.Second); d < 500*time.Millisecond || d > time.Second {
			t.Fatalf("jitter of 1 s: %v", d)
		}
	}
}
