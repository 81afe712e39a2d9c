package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
)

// storeConfig says which store a command uses: PostGIS when DB is set, else the
// embedded store persisted in Dir.
type storeConfig struct {
	DB  string
	Dir string
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
// true; otherwise Ping reports a pending migration.
func (c storeConfig) open(ctx context.Context, migrate bool) (kume.Store, error) {
	if c.DB == "" {
		return memory.Open(c.Dir)
	}
	s, err := postgis.Open(ctx, c.DB)
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

// describe names the store for logs, with any password masked.
func (c storeConfig) describe() string {
	if c.DB == "" {
		return "embedded store in " + c.Dir
	}
	return "PostGIS at " + maskURL(c.DB)
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
