// Package migrations holds the numbered SQL migrations of the PostGIS schema,
// embedded in the binary, and applies them with goose.
//
// Files are named NNNNN_name.sql and hold a "-- +goose Up" and a
// "-- +goose Down" section. Applying takes a PostgreSQL session advisory lock,
// so several processes starting at once migrate the database only once.
// schema.sql is the schema they make, dumped by pg_dump and checked against
// them by a test (go test ./migrations -run TestSchemaDump -update rewrites
// it); Digest names the migrations' version, for test databases built once.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"path"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed 0*.sql
var files embed.FS

// StatusLine is the state of one migration in a database.
type StatusLine struct {
	Version int64
	Name    string // file name, e.g. "00001_core.sql"
	Applied bool
	// AppliedAt is when the migration was applied; zero when pending.
	AppliedAt time.Time
}

// provider returns a goose provider for db.
func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Up applies every pending migration.
func Up(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: up: %w", err)
	}
	return nil
}

// UpTo applies every pending migration up to and including version.
func UpTo(ctx context.Context, db *sql.DB, version int64) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrations: up to %d: %w", version, err)
	}
	return nil
}

// Down rolls back the most recently applied migration.
func Down(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("migrations: down: %w", err)
	}
	return nil
}

// DownTo rolls back every applied migration newer than version; DownTo(ctx,
// db, 0) removes the whole schema (the postgis extension stays).
func DownTo(ctx context.Context, db *sql.DB, version int64) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrations: down to %d: %w", version, err)
	}
	return nil
}

// Reset rolls back every applied migration.
func Reset(ctx context.Context, db *sql.DB) error { return DownTo(ctx, db, 0) }

// Pending reports whether some migration is not applied yet.
func Pending(ctx context.Context, db *sql.DB) (bool, error) {
	p, err := provider(db)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("migrations: pending: %w", err)
	}
	return pending, nil
}

// Status lists every embedded migration, oldest first, and whether it is applied.
func Status(ctx context.Context, db *sql.DB) ([]StatusLine, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: status: %w", err)
	}
	out := make([]StatusLine, 0, len(st))
	for _, s := range st {
		line := StatusLine{Version: s.Source.Version, Name: path.Base(s.Source.Path)}
		if s.State == goose.StateApplied {
			line.Applied = true
			line.AppliedAt = s.AppliedAt
		}
		out = append(out, line)
	}
	return out, nil
}
