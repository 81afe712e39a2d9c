// Package teststores gives the tests of the packages above the stores (api,
// tiles, ingest, …) the real stores to run on, instead of hand-written
// fakes: the embedded store, and PostGIS on a fresh migrated database when
// the test server is configured (KUME_TEST_DATABASE_URL; see internal/pgtest,
// which fails rather than skips under CI=true).
//
// A PostGIS store is opened on a copy of a template database that has every
// migration applied, built once per version of the migrations, so that a
// test pays for a database copy rather than for the migrations.
package teststores

import (
	"context"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/migrations"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
)

// Kind names a store.
type Kind string

// The stores.
const (
	// Memory is the embedded store (store/memory) persisted to a temporary
	// data directory, as kume serve runs it.
	Memory Kind = "memory"
	// PostGIS is the PostgreSQL store (store/postgis).
	PostGIS Kind = "postgis"
)

// Kinds lists the stores, the embedded one first.
func Kinds() []Kind { return []Kind{Memory, PostGIS} }

// Run runs test as one subtest per store, named after it. The PostGIS
// subtest is skipped without a test server (failed under CI=true).
func Run(t *testing.T, test func(t *testing.T, kind Kind)) {
	t.Helper()
	for _, k := range Kinds() {
		t.Run(string(k), func(t *testing.T) { test(t, k) })
	}
}

// Open returns a new, empty store of the kind, closed when the test ends.
func Open(tb testing.TB, kind Kind) kume.Store {
	tb.Helper()
	var st kume.Store
	switch kind {
	case Memory:
		var err error
		if st, err = memory.Open(tb.TempDir()); err != nil {
			tb.Fatal(err)
		}
	case PostGIS:
		st = OpenPostGIS(tb)
	default:
		tb.Fatalf("teststores: unknown store %q", kind)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("teststores: close the %s store: %v", kind, err)
		}
	})
	return st
}

// OpenPostGIS returns a PostGIS store on a new database with every migration
// applied; the caller closes it.
func OpenPostGIS(tb testing.TB, opts ...postgis.Option) *postgis.Store {
	tb.Helper()
	digest, err := migrations.Digest()
	if err != nil {
		tb.Fatal(err)
	}
	url := pgtest.NewDatabaseFrom(tb, "migrated_"+digest[:24], func(ctx context.Context, url string) error {
		st, err := postgis.Open(ctx, url)
		if err != nil {
			return err
		}
		defer st.Close()
		return st.Migrate(ctx)
	})
	st, err := postgis.Open(context.Background(), url, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}
