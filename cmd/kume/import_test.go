package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
)

// testImports imports a generated register, imports it again, and checks
// that an all-or-nothing import with bad rows writes nothing; storeArgs
// select the store and open opens it for checking.
func testImports(t *testing.T, storeArgs []string, open func() kume.Store) {
	const n = 3000
	good := genDemo(t, n, 1, 0)
	imp := func(file, dataset string, extra ...string) result {
		args := append([]string{"import", file, "--dataset", dataset, "--json", "--no-analyze", "--source", synthSource()}, storeArgs...)
		return run(t, append(args, extra...)...)
	}

	r := imp(good, "synthetic")
	if r.err != nil {
		t.Fatalf("import: %v\n%s", r.err, r.stderr)
	}
	if s := importSummary(t, r); s.Read != n || s.Inserted != n || s.Rejected != 0 {
		t.Fatalf("first import: %+v", s)
	}
	r = imp(good, "synthetic")
	if r.err != nil {
		t.Fatalf("re-import: %v\n%s", r.err, r.stderr)
	}
	if s := importSummary(t, r); s.Inserted != 0 || s.Updated != 0 || s.Unchanged != n {
		t.Fatalf("re-import: %d inserted, %d updated, %d unchanged; want 0, 0, %d", s.Inserted, s.Updated, s.Unchanged, n)
	}

	st := open()
	before := datasetFingerprint(t, st, "synthetic")
	v0, err := st.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.DatasetByName(context.Background(), "synthetic")
	if err != nil || d.Source != synthSource() {
		t.Fatalf("dataset %+v, %v: want the synthetic source", d, err)
	}
	st.Close()

	// Same ids, other content and some bad rows: abort writes nothing.
	bad := genDemo(t, n, 2, 0.05)
	r = imp(bad, "synthetic", "--on-error", "abort")
	if r.err == nil || kume.ErrorCode(r.err) != kume.EINVALID {
		t.Fatalf("import with bad rows and --on-error abort: err = %v", r.err)
	}
	if s := importSummary(t, r); s.Rejected == 0 || s.Inserted+s.Updated != 0 {
		t.Errorf("aborted import summary: %+v", s)
	}
	r = imp(bad, "fresh", "--on-error", "abort")
	if r.err == nil {
		t.Fatal("import into a new dataset with bad rows and --on-error abort succeeded")
	}

	st = open()
	defer st.Close()
	if after := datasetFingerprint(t, st, "synthetic"); after != before {
		t.Errorf("aborted import changed the dataset: %+v, before %+v", after, before)
	}
	if after := datasetFingerprint(t, st, "fresh"); after.count != 0 {
		t.Errorf("aborted import into a new dataset wrote %d rows", after.count)
	}
	if v, err := st.DataVersion(context.Background()); err != nil || v != v0 {
		t.Errorf("aborted imports moved the data version from %d to %d (%v)", v0, v, err)
	}
}

func TestImportEmbedded(t *testing.T) {
	dir := t.TempDir()
	testImports(t, []string{"--store", dir}, func() kume.Store { return openMemory(t, dir) })
}

func TestImportPostGIS(t *testing.T) {
	url := pgtest.NewDatabase(t)
	testImports(t, []string{"--db", url}, func() kume.Store { return openPostGIS(t, url) })
}

func TestMigrate(t *testing.T) {
	url := pgtest.NewDatabase(t)
	status := func() string { return mustRun(t, "migrate", "status", "--db", url).stdout }
	if s := status(); strings.Contains(s, "applied") || !strings.Contains(s, "pending") {
		t.Fatalf("status of a fresh database:\n%s", s)
	}
	mustRun(t, "migrate", "up", "--db", url)
	up := status()
	if strings.Contains(up, "pending") || !strings.Contains(up, "00001_core.sql") {
		t.Fatalf("status after up:\n%s", up)
	}
	lines := strings.Split(strings.TrimSpace(up), "\n")
	mustRun(t, "migrate", "--db", url, "down") // flags before the action work too
	down := strings.Split(strings.TrimSpace(status()), "\n")
	if len(down) != len(lines) || !strings.Contains(down[len(down)-1], "pending") || strings.Contains(strings.Join(down[:len(down)-1], "\n"), "pending") {
		t.Fatalf("status after down, want only the last migration pending:\n%s", strings.Join(down, "\n"))
	}
	mustRun(t, "migrate", "up", "--db", url)
	if r := run(t, "migrate", "sideways", "--db", url); r.err != errUsage {
		t.Errorf("unknown action: %v", r.err)
	}
	if r := run(t, "migrate", "up"); r.err == nil || !strings.Contains(r.err.Error(), "--db") {
		t.Errorf("migrate without a database: %v", r.err)
	}
}

// TestEmbeddedStoreErrors checks that an unusable data directory is reported,
// never opened as an empty store.
func TestEmbeddedStoreErrors(t *testing.T) {
	file := genDemo(t, 300, 1, 0)

	// A data directory below a regular file cannot be created or written.
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"import", file, "--dataset", "x", "--store", filepath.Join(blocker, "data")},
		{"keys", "list", "--store", filepath.Join(blocker, "data")},
		{"export", "geojson", "--layer", "establishments", "-o", "-", "--store", filepath.Join(blocker, "data")},
	} {
		r := run(t, args...)
		if r.err == nil || !strings.Contains(r.err.Error(), "data directory") || strings.Contains(r.err.Error(), "\n") {
			t.Errorf("kume %s: err = %v, want a one-line data directory error", args[0], r.err)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(ro, 0o700)
		r := run(t, "import", file, "--dataset", "x", "--store", ro)
		if r.err == nil || !strings.Contains(r.err.Error(), "not writable") {
			t.Errorf("read-only data directory: err = %v", r.err)
		}
	}

	// A corrupt data file is an error, not an empty store.
	dir := t.TempDir()
	mustRun(t, "import", file, "--dataset", "x", "--no-analyze", "--store", dir)
	files, err := filepath.Glob(filepath.Join(dir, "est-*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no establishment file in the store (%v)", err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(files[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "export", "csv", "--layer", "establishments", "-o", "-", "--store", dir)
	if r.err == nil || !strings.Contains(r.err.Error(), "corrupt") {
		t.Errorf("export from a corrupt store: err = %v, output %q", r.err, r.stdout)
	}
	r = run(t, "import", file, "--dataset", "x", "--json", "--store", dir)
	if r.err == nil || !strings.Contains(r.err.Error(), "corrupt") {
		t.Errorf("import into a corrupt store: err = %v", r.err)
	}
	// A torn manifest too.
	dir2 := t.TempDir()
	mustRun(t, "import", file, "--dataset", "x", "--no-analyze", "--store", dir2)
	m := filepath.Join(dir2, "MANIFEST")
	b, err = os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "keys", "list", "--store", dir2); r.err == nil {
		t.Errorf("a torn manifest opened: %q", r.stdout)
	}
}
