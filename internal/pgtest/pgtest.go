// Package pgtest gives tests a PostgreSQL database with PostGIS.
//
// Tests find the server through KUME_TEST_DATABASE_URL, which scripts/testdb.sh
// prints after starting a throwaway cluster (make test does both). Without it
// the tests are skipped, except when CI=true: there they fail, so CI never
// passes without running them.
//
// NewDatabase gives a database with the postgis extension only;
// NewDatabaseFrom a copy of a template database built once, such as one with
// every migration applied, which the server keeps as kume_tmpl_<key>.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the environment variable naming the test server.
const EnvURL = "KUME_TEST_DATABASE_URL"

// URL returns the URL of the test server from KUME_TEST_DATABASE_URL. When it
// is unset, URL skips the test, or fails it when the environment has CI=true.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal(EnvURL + " not set: PostGIS tests cannot run")
	}
	tb.Skip(EnvURL + " not set: skipping PostGIS tests; run them with `make test`, which starts a " +
		"throwaway PostGIS server with scripts/testdb.sh and sets " + EnvURL)
	return ""
}

// NewDatabase creates a fresh database with the postgis extension on the test
// server, drops it when the test ends, and returns its URL. Names carry a random
// suffix, so tests in parallel processes never collide.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return newDatabaseOn(tb, URL(tb))
}

// newDatabaseOn is NewDatabase on the server of the URL base.
func newDatabaseOn(tb testing.TB, base string) string {
	tb.Helper()
	name := "kume_test_" + randomSuffix(tb)
	ident := pgx.Identifier{name}.Sanitize()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect to test server: %v", err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() { drop(tb, base, ident) })

	dbURL, err := withDatabase(base, name)
	if err != nil {
		tb.Fatal(err)
	}
	if err := createPostGIS(ctx, dbURL); err != nil {
		tb.Fatalf("%v (in %s)", err, name)
	}
	return dbURL
}

// drop removes a test database, closing any connection still open to it.
func drop(tb testing.TB, base, ident string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Errorf("pgtest: connect to drop %s: %v", ident, err)
		return
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		tb.Errorf("pgtest: drop database %s: %v", ident, err)
	}
}

// withDatabase returns base with its database name replaced by name.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("pgtest: %s is not a URL: %w", EnvURL, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("pgtest: %s must be a postgres:// URL", EnvURL)
	}
	u.Path = "/" + name
	return u.String(), nil
}
