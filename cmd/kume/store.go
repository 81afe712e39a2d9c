package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
)

// storeConfig says which store a command uses: PostGIS when DB is set, else the
// embedded store persisted in Dir. With Replicas (kume serve only), reads of
// published data go to those streaming replicas of DB when they have the data
// version (postgis.Replicated); Log receives their state changes.
type storeConfig struct {
	DB       string
	Dir      string
	Replicas []string
	// Log, when set, hears of the database's outages (kume serve).
	Log *slog.Logger

	replicaFlagSeen bool // --db-replica given: its values replace KUME_DB_REPLICAS
}

// defaultStoreDir is where the embedded store keeps its data unless told otherwise.
const defaultStoreDir = "./kume-data"

// addStoreFlags registers --db and --store, with defaults from DATABASE_URL,
// KUME_DB and KUME_STORE.
func addStoreFlags(fs *flag.FlagSet, env *Env, c *storeConfig) {
	db := env.Getenv("KUME_DB")
	if db == "" {
		db = env.Getenv("DATABASE_URL")
	}
	dir := env.Getenv("KUME_STORE")
	if dir == "" {
		dir = defaultStoreDir
	}
	fs.StringVar(&c.DB, "db", db, "PostgreSQL+PostGIS URL (env KUME_DB or DATABASE_URL); empty = embedded store")
	fs.StringVar(&c.Dir, "store", dir, "data directory of the embedded store (env KUME_STORE)")
}

// open opens the configured store. A PostGIS store is migrated when migrate is
// true; otherwise Ping reports a pending migration. An embedded store whose
// directory another process holds (a running kume serve) is opened beside
// it: reads from a snapshot of the directory, the writes of keys and datasets
// through the server (see besideServer), any other write failing with the
// reason.
func (c storeConfig) open(ctx context.Context, migrate bool) (kume.Store, error) {
	if c.DB == "" {
		s, err := memory.Open(c.Dir)
		if errors.Is(err, memory.ErrLocked) {
			return openBesideServer(c.Dir)
		}
		return s, err
	}
	return c.openPostGIS(ctx, migrate)
}

// openOwn opens the configured store for a process that must own it (kume
// serve): an embedded store that another process holds is an error.
func (c storeConfig) openOwn(ctx context.Context) (kume.Store, error) {
	if c.DB == "" {
		return memory.Open(c.Dir)
	}
	return c.openPostGIS(ctx, true)
}

// openReadOnly opens the configured store for a command that writes nothing
// (a dry run): an embedded store is read from a snapshot of its directory,
// without its lock and without creating it; PostGIS is not migrated.
func (c storeConfig) openReadOnly(ctx context.Context) (kume.Store, error) {
	if c.DB == "" {
		return memory.OpenReadOnly(c.Dir)
	}
	return c.openPostGIS(ctx, false)
}

// openPostGIS opens the PostGIS store, migrating it when migrate is true.
func (c storeConfig) openPostGIS(ctx context.Context, migrate bool) (kume.Store, error) {
	var s interface {
		kume.Store
		Migrate(context.Context) error
	}
	var err error
	if len(c.Replicas) > 0 {
		s, err = postgis.OpenReplicated(ctx, c.DB, c.Replicas, postgis.ReplicaConfig{Log: c.Log}, postgis.WithLogger(c.Log))
	} else {
		s, err = postgis.Open(ctx, c.DB, postgis.WithLogger(c.Log))
	}
	if err != nil {
		return nil, err
	}
	if migrate {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// addReplicaFlags registers --db-replica (repeatable), with the default from
// KUME_DB_REPLICAS (URLs separated by white space: a URL may hold commas).
func addReplicaFlags(fs *flag.FlagSet, env *Env, c *storeConfig) {
	c.Replicas = strings.Fields(env.Getenv("KUME_DB_REPLICAS"))
	fs.Func("db-replica", "URL of a streaming replica of --db that serves reads once it has the data version (repeatable; env KUME_DB_REPLICAS, separated by spaces)",
		func(v string) error {
			if !c.replicaFlagSeen {
				c.Replicas, c.replicaFlagSeen = nil, true
			}
			c.Replicas = append(c.Replicas, v)
			return nil
		})
}

// checkReplicas checks the replicas against the rest of the store's configuration.
func (c storeConfig) checkReplicas() error {
	if len(c.Replicas) > 0 && c.DB == "" {
		return kume.Errorf(kume.EINVALID, "--db-replica needs a PostGIS primary: give --db (or KUME_DB)")
	}
	for _, r := range c.Replicas {
		if r == "" {
			return kume.Errorf(kume.EINVALID, "--db-replica: empty URL")
		}
	}
	return nil
}

// describe names the store for logs, with any password masked.
func (c storeConfig) describe() string {
	if c.DB == "" {
		return "embedded store in " + c.Dir
	}
	d := "PostGIS at " + maskURL(c.DB)
	for i, r := range c.Replicas {
		sep := ", "
		if i == 0 {
			sep = ", read replicas "
		}
		d += sep + maskURL(r)
	}
	return d
}

// maskURL hides the password of a database URL (and of a key=value DSN).
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(unparsed connection string, hidden)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return fmt.Sprint(u)
}
