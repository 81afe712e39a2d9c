package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/synth"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// result is what one in-process run of the command line printed.
type result struct {
	stdout, stderr string
	err            error
}

// run runs the command line in-process with an empty environment.
func run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return runCtx(ctx, args...)
}

func runCtx(ctx context.Context, args ...string) result {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	err := Run(ctx, env, args)
	return result{out.String(), errb.String(), err}
}

// mustRun runs the command line and fails the test when it fails.
func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.err != nil {
		t.Fatalf("kume %s: %v\nstderr: %s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r
}

// genDemo writes a synthetic register with the gen-demo command and returns its path.
func genDemo(t *testing.T, firms int, seed int, bad float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "firms.csv")
	mustRun(t, "gen-demo", "--firms", itoa(firms), "--seed", itoa(seed), "--bad", ftoa(bad), "-o", path)
	return path
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// importSummary parses the output of "kume import --json".
func importSummary(t *testing.T, r result) ingest.Summary {
	t.Helper()
	var s ingest.Summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("import --json printed %q: %v (stderr %s)", r.stdout, err, r.stderr)
	}
	return s
}

// openMemory opens an embedded store directory, closing it when the test ends.
func openMemory(t *testing.T, dir string) kume.Store {
	t.Helper()
	st, err := memory.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openPostGIS opens a PostGIS store, closing it when the test ends.
func openPostGIS(t *testing.T, url string) kume.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := postgis.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fingerprint is the number of establishments of a dataset and a checksum of
// their content, store ids included.
type fingerprint struct {
	count int
	sum   string
}

func datasetFingerprint(t *testing.T, st kume.Store, name string) fingerprint {
	t.Helper()
	ctx := context.Background()
	d, err := st.DatasetByName(ctx, name)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return fingerprint{}
	}
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n := 0
	err = st.EachEstablishment(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}}, func(e *kume.Establishment) error {
		n++
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		h.Write(b)
		h.Write([]byte{'\n'})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fingerprint{count: n, sum: hex.EncodeToString(h.Sum(nil))}
}

// synthSource is the dataset source the tests record for generated data.
func synthSource() string { return synth.DatasetSource(1) }
