package migrations_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/migrations"
)

var update = flag.Bool("update", false, "rewrite schema.sql from the migrations")

// TestSchemaDump applies every migration to a fresh PostGIS database, dumps
// its schema with pg_dump --schema-only and compares it, normalised, with
// schema.sql, so that the current schema can be read in one file and never
// drifts from the migrations. go test ./migrations -run TestSchemaDump
// -update rewrites the file.
func TestSchemaDump(t *testing.T) {
	url := pgtest.NewDatabase(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	if err := migrations.Up(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	got := dumpSchema(t, url)
	if *update {
		if err := os.WriteFile("schema.sql", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatalf("%v (go test ./migrations -run TestSchemaDump -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("schema.sql differs from the schema the migrations make; rerun with -update and review the diff:\n%s", firstDiff(string(want), string(got)))
	}
}

// dumpSchema runs pg_dump --schema-only on the database at url and returns
// the schema normalised: the session settings, pg_dump's comment headers and
// version lines, its \restrict guards (whose keys are random) and the
// migration tool's bookkeeping table are left out, and runs of blank lines
// become one.
func dumpSchema(t *testing.T, url string) []byte {
	t.Helper()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pg_dump not found: the schema cannot be checked")
		}
		t.Skip("pg_dump not found")
	}
	cmd := exec.Command(bin, "--schema-only", "--no-owner", "--no-privileges", "--no-tablespaces",
		"--exclude-table=goose_db_version", "--exclude-table=goose_db_version_id_seq", "-d", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, stderr.String())
	}
	return normaliseDump(out)
}

// normaliseDump strips what a dump holds besides the schema.
func normaliseDump(dump []byte) []byte {
	drop := regexp.MustCompile(`^(--.*|SET .*|SELECT pg_catalog\.set_config\(.*|\\(un)?restrict .*)$`)
	var b strings.Builder
	blank := true
	for _, line := range strings.Split(string(dump), "\n") {
		line = strings.TrimRight(line, " \t")
		if drop.MatchString(line) {
			continue
		}
		if line == "" {
			if !blank {
				b.WriteString("\n")
			}
			blank = true
			continue
		}
		blank = false
		b.WriteString(line + "\n")
	}
	header := "-- The current PostGIS schema of kume: every migration applied to a fresh\n" +
		"-- database and dumped with pg_dump --schema-only (normalised). Read it here;\n" +
		"-- change the schema with a new migration, then run\n" +
		"-- go test ./migrations -run TestSchemaDump -update\n\n"
	return []byte(header + strings.TrimRight(b.String(), "\n") + "\n")
}

// firstDiff shows the first line where a and b differ, with its neighbours.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  schema.sql: " + x + "\n  migrations: " + y
		}
	}
	return ""
}
