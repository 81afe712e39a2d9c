package pgtest_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume/internal/pgtest"
)

func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	a := pgtest.NewDatabase(t)
	b := pgtest.NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share the URL %s", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var version string
	if err := conn.QueryRow(ctx, "SELECT postgis_lib_version()").Scan(&version); err != nil {
		t.Fatalf("postgis not available: %v", err)
	}
	if version == "" {
		t.Fatal("empty postgis version")
	}
}

// TestNewDatabaseFrom builds a template once and copies it: every copy holds
// what the build made, a change to one copy stays in it, and a second
// request for the same key does not build again.
func TestNewDatabaseFrom(t *testing.T) {
	ctx := context.Background()
	key := "pgtest_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Cleanup(func() { dropTemplate(t, "kume_tmpl_"+key) })
	builds := 0
	build := func(ctx context.Context, url string) error {
		builds++
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE TABLE built (n int); INSERT INTO built VALUES (1)")
		return err
	}
	a := pgtest.NewDatabaseFrom(t, key, build)
	b := pgtest.NewDatabaseFrom(t, key, build)
	if a == b || builds != 1 {
		t.Fatalf("URLs %s and %s, %d builds; want two databases of one build", a, b, builds)
	}
	count := func(url string) int {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM built WHERE postgis_lib_version() <> ''").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO built VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if na, nb := count(a), count(b); na != 2 || nb != 1 {
		t.Errorf("rows %d and %d, want 2 in the changed copy and 1 in the other", na, nb)
	}

	// A build that fails fails the test and leaves no database behind.
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		pgtest.NewDatabaseFrom(ft, key+"_bad", func(context.Context, string) error { return errors.New("no") })
	}()
	if !ft.failed {
		t.Error("a failed build did not fail the test")
	}
	admin, err := pgx.Connect(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var left int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname LIKE $1", "kume_tmpl_"+key+"_bad%").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d databases left by a failed build (%v)", left, err)
	}
}

// fatalRecorder is a testing.TB whose Fatal records the failure and panics
// instead of ending the test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Fatal(args ...any) { f.failed = true; panic("fatal") }

func (f *fatalRecorder) Fatalf(format string, args ...any) { f.failed = true; panic("fatal") }

// dropTemplate drops a template database a test made.
func dropTemplate(t *testing.T, name string) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.URL(t))
	if err != nil {
		t.Error(err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Error(err)
	}
}
