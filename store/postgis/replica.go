package postgis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kume-geo/kume"
)

// Replicated is a kume.Store over a primary PostgreSQL server and streaming
// replicas of it (hot standbys). Every write goes to the primary. The reads
// of published data — establishments, analysis results, tiles — go to a
// replica that has replayed the data version they need, and to the primary
// when none has.
//
// The data version is the consistency token: a commit that changes
// establishments, a dataset's visibility or the analysis moves it (table
// data_version), and a standby holds the version it has replayed. A read needs
// the latest version the store has learned from the primary: it asks the
// primary at most once per ReplicaConfig.MaxStaleness, and at once after a
// write of its own, so a process reads its own writes and never reads older
// data than it has seen. A replica that is behind serves nothing until it has
// caught up; one that fails (refused or dropped connections, a standby shut
// down) is left alone for a back-off that doubles from ReplicaConfig.Backoff
// to 30 s, and its reads are served by the primary, which also takes over a
// read a replica fails mid-way (unless rows were already delivered) or
// cancels for a conflict with recovery. Reads of what changes without moving
// the version (datasets, keys, jobs, value chains, regions) always go to the
// primary.
type Replicated struct {
	*Store // the primary

	replicas []*replica
	cfg      ReplicaConfig
	sysID    int64 // the primary's system identifier

	known      atomic.Int64 // the highest data version learned from the primary
	knownAt    atomic.Int64 // when it was last asked (Unix ns), 0 = ask now
	refreshing sync.Mutex
	next       atomic.Uint64 // round robin among the replicas
	primary    atomic.Int64  // reads the primary served
}

var _ kume.Store = (*Replicated)(nil)

// ReplicaConfig configures OpenReplicated. Zero fields take the defaults.
type ReplicaConfig struct {
	// MaxStaleness is how long a data version read from the primary is the
	// version reads need before the primary is asked again (1 s): another
	// process's commit reaches this one's reads within it.
	MaxStaleness time.Duration
	// Recheck is how often a replica that is behind or unknown is asked for
	// its version while reads need a newer one (100 ms).
	Recheck time.Duration
	// Backoff is the pause after a replica's first failure (1 s); it doubles
	// with each failure in a row, up to 30 s, with ±20% jitter.
	Backoff time.Duration
	// ProbeTimeout bounds connecting to a replica and asking its version (3 s).
	ProbeTimeout time.Duration
	// Log receives a line when a replica fails, comes back or is refused
	// (nil: nothing is logged).
	Log *slog.Logger
}

// withDefaults fills the zero fields of c.
func (c ReplicaConfig) withDefaults() ReplicaConfig {
	if c.MaxStaleness <= 0 {
		c.MaxStaleness = time.Second
	}
	if c.Recheck <= 0 {
		c.Recheck = 100 * time.Millisecond
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.ProbeTimeout <= 0 {
		c.ProbeTimeout = 3 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// maxReplicaBackoff bounds the pause after a replica's failures.
const maxReplicaBackoff = 30 * time.Second

// OpenReplicated opens the primary at primaryURL (see Open; opts apply to
// every server) and the replicas at replicaURLs. The primary must answer. A
// replica that does not answer yet is not an error: reads go to the primary
// until it does. A replica that answers but is not a standby of this primary
// (another cluster, or a server not in recovery) is an error that names it.
func OpenReplicated(ctx context.Context, primaryURL string, replicaURLs []string, cfg ReplicaConfig, opts ...Option) (*Replicated, error) {
	primary, err := Open(ctx, primaryURL, opts...)
	if err != nil {
		return nil, err
	}
	r := &Replicated{Store: primary, cfg: cfg.withDefaults()}
	p, err := identify(ctx, primary)
	if err != nil {
		primary.Close()
		return nil, err
	}
	// The first read asks the primary for its data version (it may not be
	// migrated yet).
	r.sysID = p.sysID
	for i, u := range replicaURLs {
		rep := &replica{url: u, addr: describeURL(u), opts: opts}
		if rep.addr == "" {
			rep.addr = "replica " + strconv.Itoa(i+1)
		}
		r.replicas = append(r.replicas, rep)
		err := rep.connect(ctx, r)
		var refused *refusedError
		switch {
		case errors.As(err, &refused):
			r.Close()
			return nil, err
		case err != nil:
			rep.fail(r, err)
		}
	}
	return r, nil
}

// Primary returns the store of the primary server.
func (r *Replicated) Primary() *Store { return r.Store }

// Close closes every connection to the primary and the replicas.
func (r *Replicated) Close() error {
	for _, rep := range r.replicas {
		if st := rep.store.Load(); st != nil {
			st.Close()
		}
	}
	return r.Store.Close()
}

// ReplicaStatus is what a Replicated store knows of one replica.
type ReplicaStatus struct {
	// Addr is the replica's host and port (no credentials).
	Addr string `json:"addr"`
	// Up is false while the replica is left alone after a failure.
	Up bool `json:"up"`
	// Version is the data version it had replayed when last asked.
	Version int64 `json:"version"`
	// Reads counts the reads it served; Failovers the reads it failed that
	// the primary then served.
	Reads     int64 `json:"reads"`
	Failovers int64 `json:"failovers"`
}

// Status returns the number of reads the primary served and the state of
// each replica, in the order they were given.
func (r *Replicated) Status() (primaryReads int64, replicas []ReplicaStatus) {
	for _, rep := range r.replicas {
		replicas = append(replicas, ReplicaStatus{Addr: rep.addr, Up: rep.up.Load(), Version: rep.version.Load(),
			Reads: rep.reads.Load(), Failovers: rep.failovers.Load()})
	}
	return r.primary.Load(), replicas
}

// read runs fn on a replica that has the data version reads need, else on the
// primary. A replica's failure (see replicaFailure) sends fn to the primary.
func (r *Replicated) read(ctx context.Context, fn func(*Store) error) error {
	need := r.need(ctx)
	if rep := r.pick(ctx, need); rep != nil {
		err := fn(rep.store.Load())
		switch {
		case err == nil:
			rep.reads.Add(1)
			return nil
		case ctx.Err() != nil:
			return err
		case recoveryConflict(err):
			rep.failovers.Add(1)
		case unreachable(err) && !delivered(err):
			rep.failovers.Add(1)
			rep.fail(r, err)
		default:
			return err
		}
	}
	r.primary.Add(1)
	return fn(r.Store)
}

// need returns the data version reads need now: the latest learned from the
// primary, asked again when older than MaxStaleness. While another read asks,
// the version already known stands; while the primary does not answer, the
// last one it gave stands (and replicas that have it still serve reads).
func (r *Replicated) need(ctx context.Context) int64 {
	stale := func() bool {
		return time.Since(time.Unix(0, r.knownAt.Load())) >= r.cfg.MaxStaleness
	}
	if !stale() {
		return r.known.Load()
	}
	// An own write sets knownAt to 0: then the read waits for the answer,
	// so that it sees the write.
	if r.knownAt.Load() == 0 {
		r.refreshing.Lock()
	} else if !r.refreshing.TryLock() {
		return r.known.Load()
	}
	defer r.refreshing.Unlock()
	if stale() {
		if v, err := r.Store.DataVersion(ctx); err == nil {
			r.learn(v)
		}
		r.knownAt.Store(time.Now().UnixNano())
	}
	return r.known.Load()
}

// learn raises the known data version to v.
func (r *Replicated) learn(v int64) {
	for {
		k := r.known.Load()
		if v <= k || r.known.CompareAndSwap(k, v) {
			return
		}
	}
}

// wrote makes the next read ask the primary for its data version first, after
// a write of this store that may have moved it.
func (r *Replicated) wrote() { r.knownAt.Store(0) }

// pick returns a replica that has replayed version need, trying them in turn
// from the next in line, or nil.
func (r *Replicated) pick(ctx context.Context, need int64) *replica {
	n := uint64(len(r.replicas))
	if n == 0 {
		return nil
	}
	start := r.next.Add(1)
	for i := range n {
		if rep := r.replicas[(start+i)%n]; rep.ready(ctx, r, need) {
			return rep
		}
	}
	return nil
}

// replica is one read replica and what the router knows of it.
type replica struct {
	url, addr string
	opts      []Option

	store     atomic.Pointer[Store] // nil until connected
	up        atomic.Bool           // answered the last probe and read
	version   atomic.Int64          // data version it had replayed when last asked
	checked   atomic.Int64          // when it was last asked (Unix ns)
	downUntil atomic.Int64          // no read or probe before then (Unix ns)
	probing   sync.Mutex            // one probe at a time
	failures  atomic.Int32          // failures in a row
	reads     atomic.Int64
	failovers atomic.Int64
}

// ready reports whether the replica can serve a read that needs version
// need, asking it for its version when it is behind (at most once per
// Recheck) or back from a back-off.
func (p *replica) ready(ctx context.Context, r *Replicated, need int64) bool {
	now := time.Now().UnixNano()
	if now < p.downUntil.Load() {
		return false
	}
	if p.up.Load() && p.version.Load() >= need {
		return true
	}
	if now-p.checked.Load() < int64(r.cfg.Recheck) || !p.probing.TryLock() {
		return false
	}
	defer p.probing.Unlock()
	if err := p.connect(ctx, r); err != nil {
		p.fail(r, err)
		return false
	}
	return p.version.Load() >= need
}

// connect opens the replica's pool when it has none and asks its version,
// checking that it is a standby of the primary.
func (p *replica) connect(ctx context.Context, r *Replicated) error {
	p.checked.Store(time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ProbeTimeout)
	defer cancel()
	st := p.store.Load()
	if st == nil {
		var err error
		opts := append(append([]Option(nil), p.opts...), WithConnectTimeout(r.cfg.ProbeTimeout))
		if st, err = Open(ctx, p.url, opts...); err != nil {
			return err
		}
		p.store.Store(st)
	}
	s, err := identify(ctx, st)
	if err != nil {
		return err
	}
	switch {
	case s.sysID != r.sysID:
		return &refusedError{addr: p.addr, why: "is a server of another cluster, not a replica of the primary (system identifiers differ)"}
	case !s.inRecovery:
		return &refusedError{addr: p.addr, why: "is not a standby (not in recovery): it may have been promoted"}
	}
	v, err := st.DataVersion(ctx)
	if err != nil {
		return err
	}
	p.version.Store(v)
	if !p.up.Swap(true) {
		p.failures.Store(0)
		r.cfg.Log.Info("read replica up", "replica", p.addr, "data_version", v)
	}
	return nil
}

// fail leaves the replica alone for a back-off after err. Failures while it
// is left alone (reads that were under way) do not lengthen the back-off.
func (p *replica) fail(r *Replicated, err error) {
	if time.Now().UnixNano() < p.downUntil.Load() {
		return
	}
	n := p.failures.Add(1)
	d := r.cfg.Backoff << min(n-1, 10)
	d = min(d, maxReplicaBackoff)
	d += time.Duration(rand.Int64N(int64(d)*2/5+1)) - d/5
	p.downUntil.Store(time.Now().Add(d).UnixNano())
	wasUp := p.up.Swap(false)
	var refused *refusedError
	switch {
	case errors.As(err, &refused):
		r.cfg.Log.Error("read replica refused; reads go to the primary", "replica", p.addr, "err", err, "retry_in", d.Round(time.Millisecond).String())
	case wasUp || n == 1:
		r.cfg.Log.Warn("read replica unavailable; reads go to the primary", "replica", p.addr, "err", err, "retry_in", d.Round(time.Millisecond).String())
	}
}

// refusedError says that a configured replica is not one of the primary.
type refusedError struct {
	addr, why string
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("postgis: read replica %s %s", e.addr, e.why)
}

//go:embed queries/replica_probe.sql
var replicaProbeSQL string

// serverState is what the router asks a server.
type serverState struct {
	inRecovery bool
	sysID      int64
}

// identify reads a server's recovery state and system identifier.
func identify(ctx context.Context, st *Store) (serverState, error) {
	var s serverState
	err := st.pool.QueryRow(ctx, replicaProbeSQL).Scan(&s.inRecovery, &s.sysID)
	return s, wrap(ctx, err, "identify server")
}

// recoveryConflict reports whether a standby cancelled a read because replay
// had to change what it read (serialization failure, deadlock with the
// startup process, or a dropped database): the primary can still answer.
func recoveryConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01" || pgErr.Code == "57P04")
}

// streamedError marks a failure after a stream delivered rows: the read cannot
// start again elsewhere without delivering them twice.
type streamedError struct{ err error }

func (e *streamedError) Error() string { return e.err.Error() }
func (e *streamedError) Unwrap() error { return e.err }

// delivered reports whether err ended a stream that had delivered rows.
func delivered(err error) bool {
	var s *streamedError
	return errors.As(err, &s)
}

// describeURL returns the host and port of a connection URL, or "" when it
// does not parse; never credentials.
func describeURL(u string) string {
	cfg, err := pgconn.ParseConfig(u)
	if err != nil {
		return ""
	}
	return net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
}
