package postgis_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/store/storetest"
)

// open returns a migrated store on a fresh database, opened with opts and
// closed when the test ends.
func open(t testing.TB, opts ...postgis.Option) *postgis.Store {
	s, _ := openURL(t, opts...)
	return s
}

// openURL is open that also returns the database's URL.
func openURL(t testing.TB, opts ...postgis.Option) (*postgis.Store, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := postgis.Open(ctx, url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s, url
}

// openWithConn is open with a plain connection to the same database, closed
// when the test ends.
func openWithConn(t testing.TB, opts ...postgis.Option) (*postgis.Store, *pgx.Conn) {
	t.Helper()
	s, url := openURL(t, opts...)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return s, conn
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kume.Store { return open(t) })
}

func TestPingNeedsMigrations(t *testing.T) {
	ctx := context.Background()
	s, err := postgis.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); kume.ErrorCode(err) != kume.EUNAVAILABLE {
		t.Errorf("Ping before Migrate: %v, want code %s", err, kume.EUNAVAILABLE)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after Migrate: %v", err)
	}
}
