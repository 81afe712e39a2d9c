package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// templatePrefix starts the name of every template database.
const templatePrefix = "kume_tmpl_"

// NewDatabaseFrom is NewDatabase for tests that need the same starting point
// many times, such as a migrated schema: it returns the URL of a fresh
// database copied from the template database named by key, which build made
// once (and which the test server keeps for the next run). Copying a
// template takes a fraction of the time of creating the postgis extension
// and applying migrations.
//
// key names what build makes, so it must change whenever that does (a digest
// of the migrations, say): 1 to 40 characters of a-z, 0-9 and _. build gets
// the URL of a new database with the postgis extension; when it succeeds the
// database becomes the template "kume_tmpl_<key>". Tests in parallel
// processes may build it at the same time: one of the copies is kept.
func NewDatabaseFrom(tb testing.TB, key string, build func(ctx context.Context, url string) error) string {
	tb.Helper()
	base := URL(tb)
	if !validKey(key) {
		tb.Fatalf("pgtest: template key %q: want 1 to 40 characters of a-z, 0-9 and _", key)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect to test server: %v", err)
	}
	defer admin.Close(context.Background())
	template := templatePrefix + key
	if err := ensureTemplate(ctx, tb, admin, base, template, build); err != nil {
		tb.Fatal(err)
	}
	name := "kume_test_" + randomSuffix(tb)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE "+pgx.Identifier{template}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: copy template %s: %v", template, err)
	}
	tb.Cleanup(func() { drop(tb, base, ident) })
	dbURL, err := withDatabase(base, name)
	if err != nil {
		tb.Fatal(err)
	}
	return dbURL
}

// ensureTemplate builds the template database unless it exists. The build
// goes into a database of its own name, renamed to the template's when it is
// complete, so a template that exists is always whole.
func ensureTemplate(ctx context.Context, tb testing.TB, admin *pgx.Conn, base, template string,
	build func(ctx context.Context, url string) error) error {
	if ok, err := databaseExists(ctx, admin, template); err != nil || ok {
		return err
	}
	building := template + "_" + randomSuffix(tb)[:8]
	ident := pgx.Identifier{building}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("pgtest: create %s: %w", building, err)
	}
	done := false
	defer func() {
		if !done {
			drop(tb, base, ident)
		}
	}()
	u, err := withDatabase(base, building)
	if err != nil {
		return err
	}
	if err := createPostGIS(ctx, u); err != nil {
		return err
	}
	if err := build(ctx, u); err != nil {
		return fmt.Errorf("pgtest: build template %s: %w", template, err)
	}
	// The builder's connections must be gone before the database can be
	// renamed or copied.
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", building); err != nil {
		return fmt.Errorf("pgtest: close connections to %s: %w", building, err)
	}
	_, err = admin.Exec(ctx, "ALTER DATABASE "+ident+" RENAME TO "+pgx.Identifier{template}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another process won
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgtest: rename %s to %s: %w", building, template, err)
	}
	done = true
	return nil
}

// databaseExists reports whether the server has a database of that name.
func databaseExists(ctx context.Context, admin *pgx.Conn, name string) (bool, error) {
	var ok bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&ok); err != nil {
		return false, fmt.Errorf("pgtest: look for database %s: %w", name, err)
	}
	return ok, nil
}

// createPostGIS creates the postgis extension in the database at url.
func createPostGIS(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("pgtest: connect to new database: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		return fmt.Errorf("pgtest: create extension postgis: %w", err)
	}
	return nil
}

// randomSuffix returns 16 random hexadecimal digits.
func randomSuffix(tb testing.TB) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("pgtest: random name: %v", err)
	}
	return hex.EncodeToString(b[:])
}

// validKey reports whether key is 1 to 40 characters of a-z, 0-9 and _.
func validKey(key string) bool {
	return key != "" && len(key) <= 40 && strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}
