// Package postgis implements kume.Store on PostgreSQL with PostGIS through a
// pgx connection pool.
//
// Every statement lives in a file under queries/ and takes its values as $n
// parameters; the function that runs it embeds it beside itself with
// //go:embed (a missing file fails the build, not a request). The schema
// comes from package migrations (migrations/schema.sql shows it whole): Open
// connects, Migrate applies pending migrations, and Ping reports a database
// that is unreachable or behind the code.
//
// Establishments are partitioned by dataset (see partition.go). Imports are
// one transaction each: rows are copied (COPY) straight into a new partition
// when the dataset is empty, and otherwise into a temporary table that is
// compared with the stored rows and either merged into a rebuilt partition or
// applied in place with one set-based upsert. Cell statistics are stored as
// blocks of consecutive cells of one resolution and sector (cellblock.go),
// one partition of cell_blocks per analysis version, which the save streams
// in by one binary COPY and attaches when it commits (analysis_stream.go,
// analysis_partition.go); tile queries read the blocks that hold the H3
// index ranges around a box. EncodeLayer writes the regions, clusters,
// establishments and institutions layers of a vector tile with ST_AsMVT
// (mvt.go). Jobs are rows of table jobs (jobs.go).
package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/migrations"
)

// Store is a kume.Store on PostgreSQL with PostGIS. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	keep int
	// conns paces the pool's connection attempts during an outage
	// (reconnect.go).
	conns *reconnect
}

var _ kume.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	connectTimeout time.Duration
	maxConns       int32
	keepVersions   int
	log            *slog.Logger
}

// WithConnectTimeout bounds how long Open waits for the first connection
// (default 10 s).
func WithConnectTimeout(d time.Duration) Option {
	return func(o *options) { o.connectTimeout = d }
}

// WithMaxConns sets the size of the connection pool (default: pgx's default,
// or pool_max_conns in the URL).
func WithMaxConns(n int32) Option {
	return func(o *options) { o.maxConns = n }
}

// WithKeepVersions sets how many analysis versions SaveAnalysis keeps, the
// current one included (default 2, so a reader that just learned the previous
// version can still finish reading it).
func WithKeepVersions(n int) Option {
	return func(o *options) { o.keepVersions = n }
}

// WithLogger logs the outages of the database: when connection attempts
// begin to fail and when they succeed again (default: not logged).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and checks that it answers. It fails within the connect
// timeout with an error naming the host and the cause. Open does not migrate;
// call Migrate.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := options{connectTimeout: 10 * time.Second, keepVersions: 2}
	for _, opt := range opts {
		opt(&o)
	}
	if o.keepVersions < 1 {
		o.keepVersions = 1
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors may quote the URL, password included.
		return nil, errors.New("postgis: invalid database URL")
	}
	if o.maxConns > 0 {
		cfg.MaxConns = o.maxConns
	}
	cc := cfg.ConnConfig
	if cc.ConnectTimeout == 0 || cc.ConnectTimeout > o.connectTimeout {
		cc.ConnectTimeout = o.connectTimeout
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "kume"
	}
	// Queries with optional filters ("$1 IS NULL OR ...") need plans made for
	// the actual values, never a generic plan.
	cc.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	// A cancelled context cancels the running statement on the server, then
	// gives up on the connection if the server does not answer.
	cc.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}

	conns := newReconnect(o.log)
	conns.install(cfg)

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, connectError(cfg.ConnConfig, err)
	}
	pctx, cancel := context.WithTimeout(ctx, o.connectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, connectError(cfg.ConnConfig, err)
	}
	return &Store{pool: pool, keep: o.keepVersions, conns: conns}, nil
}

// connectError names the server and the cause of a failed connection.
func connectError(cc *pgx.ConnConfig, err error) error {
	addr := net.JoinHostPort(cc.Host, fmt.Sprint(cc.Port))
	if strings.HasPrefix(cc.Host, "/") {
		addr = path.Join(cc.Host, fmt.Sprintf(".s.PGSQL.%d", cc.Port))
	}
	cause := err
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		cause = pgErr
	case errors.As(err, &dnsErr):
		cause = dnsErr
	case errors.As(err, &opErr) && opErr.Err != nil:
		cause = opErr.Err
	case errors.Is(err, context.DeadlineExceeded):
		cause = fmt.Errorf("no answer in time: %w", err)
	}
	return withCode(fmt.Errorf("postgis: connect to %s: %w", addr, cause), kume.EUNAVAILABLE, "database not reachable")
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	if err := migrations.Up(ctx, db); err != nil {
		return fmt.Errorf("postgis: migrate: %w", err)
	}
	return nil
}

// Ping reports whether the database answers and has every migration applied.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return withCode(fmt.Errorf("postgis: ping: %w", err), kume.EUNAVAILABLE, "database not reachable")
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	pending, err := migrations.Pending(ctx, db)
	if err != nil {
		return fmt.Errorf("postgis: ping: %w", err)
	}
	if pending {
		return kume.Errorf(kume.EUNAVAILABLE, "database schema is not up to date; run kume migrate")
	}
	return nil
}

// Health reports the database's reachability as the store's own
// connection attempts found it, without asking the database: during an
// outage, since when, why, and when it will try again.
func (s *Store) Health() Health { return s.conns.Health() }

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
