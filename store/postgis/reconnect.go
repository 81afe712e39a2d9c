package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kume-geo/kume"
)

// Health is what the store knows of the database's reachability from its
// own connection attempts, without asking the database: whether the last
// attempt to connect succeeded, and during an outage since when it is
// unreachable, why, and when the next attempt may be made.
type Health struct {
	Reachable bool
	// Since is when the outage began (zero while reachable).
	Since time.Time
	// RetryAt is the earliest time of the next attempt during an outage.
	RetryAt time.Time
	// LastError is the cause of the last failed attempt.
	LastError string
	// Attempts counts the connection attempts made, Failures the failed
	// ones and Deferred the attempts refused during an outage's backoff.
	Attempts, Failures, Deferred int64
}

// Backoff of the connection attempts during an outage: the first retry
// after about minBackoff, each next one after twice the wait before, up to
// maxBackoff, each wait jittered to between half and all of it.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// reconnect paces the pool's connection attempts. While the database
// answers, the pool connects as it needs. After an attempt fails (refused,
// timed out, a server shutting down or starting up), the store is in an
// outage: an attempt is admitted only once the backoff has passed, then the
// backoff doubles; every other attempt fails at once with an unreachable
// error that says when to retry. Without it, a pool under load reconnected
// thousands of times a second while the database was down. The first
// successful attempt ends the outage, so the store recovers without a
// restart.
type reconnect struct {
	now    func() time.Time
	jitter func(time.Duration) time.Duration
	log    *slog.Logger

	mu     sync.Mutex
	health Health
	delay  time.Duration
	lastOK time.Time
}

func newReconnect(log *slog.Logger) *reconnect {
	return &reconnect{
		now:    time.Now,
		jitter: func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) },
		log:    log,
		health: Health{Reachable: true},
	}
}

// install makes the pool ask r before every connection attempt and report
// each attempt's end to it, and guards its dials against connecting to
// themselves.
func (r *reconnect) install(cfg *pgxpool.Config) {
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { return r.admit() }
	cfg.ConnConfig.Tracer = connectTracer{r}
	dial := cfg.ConnConfig.DialFunc
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			err = notSelf(c)
		}
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// admit decides whether a connection attempt may be made now.
func (r *reconnect) admit() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	h := &r.health
	if !h.Reachable && now.Before(h.RetryAt) {
		h.Deferred++
		return &unreachableError{since: h.Since, retryAt: h.RetryAt, now: now, cause: h.LastError}
	}
	if !h.Reachable {
		r.delay = min(2*r.delay, maxBackoff)
		h.RetryAt = now.Add(r.jitter(r.delay))
	}
	h.Attempts++
	return nil
}

// done records the end of an attempt that began at start.
func (r *reconnect) done(start time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	h := &r.health
	if err == nil {
		if !h.Reachable && r.log != nil {
			r.log.Info("database reachable again", "down", now.Sub(h.Since).Round(time.Millisecond).String(),
				"attempts", h.Attempts, "deferred", h.Deferred)
		}
		h.Reachable, h.Since, h.RetryAt, h.LastError = true, time.Time{}, time.Time{}, ""
		r.delay, r.lastOK = 0, now
		return
	}
	if errors.Is(err, context.Canceled) || start.Before(r.lastOK) {
		// The caller gave up, or the attempt began before the last
		// success: neither says the database is down now.
		return
	}
	h.Failures++
	h.LastError = err.Error()
	if h.Reachable {
		h.Reachable, h.Since = false, now
		r.delay = minBackoff
		h.RetryAt = now.Add(r.jitter(r.delay))
		if r.log != nil {
			r.log.Warn("database unreachable; retrying with backoff", "err", err)
		}
	}
}

// Health reports the state of the connection attempts.
func (r *reconnect) Health() Health {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.health
}

// connectTracer reports the end of every connection attempt to reconnect.
// pgx takes a tracer as a query tracer: it traces no query.
type connectTracer struct{ r *reconnect }

// TraceQueryStart implements pgx.QueryTracer; it does nothing.
func (connectTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer; it does nothing.
func (connectTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

type attemptStart struct{}

// TraceConnectStart implements pgx.ConnectTracer.
func (t connectTracer) TraceConnectStart(ctx context.Context, _ pgx.TraceConnectStartData) context.Context {
	return context.WithValue(ctx, attemptStart{}, t.r.now())
}

// TraceConnectEnd implements pgx.ConnectTracer.
func (t connectTracer) TraceConnectEnd(ctx context.Context, data pgx.TraceConnectEndData) {
	start, _ := ctx.Value(attemptStart{}).(time.Time)
	t.r.done(start, data.Err)
}

// unreachableError is the error of an attempt refused during an outage: a
// kume EUNAVAILABLE that says since when and when to retry.
type unreachableError struct {
	since, retryAt, now time.Time
	cause               string
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("postgis: database unreachable since %s (%s); next attempt in %s",
		e.since.UTC().Format(time.RFC3339), e.cause, e.RetryAfter().Round(time.Millisecond))
}

// Unwrap gives the kume code and client-safe message.
func (e *unreachableError) Unwrap() error {
	return kume.Errorf(kume.EUNAVAILABLE, "database unreachable since %s; retrying", e.since.UTC().Format(time.RFC3339))
}

// RetryAfter is how long until the next connection attempt; the HTTP API
// sends it as Retry-After.
func (e *unreachableError) RetryAfter() time.Duration { return max(0, e.retryAt.Sub(e.now)) }

// errSelfConnect is the error of a dial that connected to itself.
var errSelfConnect = errors.New("connected to itself: nothing listens on the database's port")

// notSelf closes and refuses a TCP connection whose two ends are the same
// address. Dialling a port of the ephemeral range on which nothing listens
// can pick that very port as the source and "connect" to itself (a TCP
// simultaneous open); held, such a connection keeps the port from
// PostgreSQL when it starts again.
func notSelf(c net.Conn) error {
	l, ok1 := c.LocalAddr().(*net.TCPAddr)
	r, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if ok1 && ok2 && l.Port == r.Port && l.IP.Equal(r.IP) {
		c.Close()
		return errSelfConnect
	}
	return nil
}
