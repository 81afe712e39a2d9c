package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/internal/pgtest"
)

// The crash test re-executes the test binary as a child that imports a file
// into PostGIS; these variables tell the child what to do.
const (
	crashChildEnv   = "KUME_TEST_CRASH_CHILD"
	crashDBEnv      = "KUME_TEST_CRASH_DB"
	crashFileEnv    = "KUME_TEST_CRASH_FILE"
	crashDatasetEnv = "KUME_TEST_CRASH_DATASET"
)

// progressLines reports the rows read as "rows N" lines on standard output.
type progressLines struct{ n int }

// Add implements ingest.Progress.
func (p *progressLines) Add(n int) error {
	p.n += n
	fmt.Fprintf(os.Stdout, "rows %d\n", p.n)
	return nil
}

// crashChild runs, in the child process, the import that "kume import"
// runs, reporting its progress, and returns the exit code.
func crashChild() int {
	ctx := context.Background()
	sc := storeConfig{DB: os.Getenv(crashDBEnv)}
	st, err := sc.open(ctx, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	name := os.Getenv(crashFileEnv)
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	_, err = ingest.Run(ctx, st, []ingest.Source{{Name: name, Reader: f}},
		ingest.Options{Dataset: os.Getenv(crashDatasetEnv), OnError: ingest.Abort}, &progressLines{})
	fmt.Fprintf(os.Stdout, "done %v\n", err)
	return 0
}

// killImport runs an import of file into the dataset in a child process and
// SIGKILLs it once it has read killAt rows (so several batches have been
// handed to the store and more are to come).
func killImport(t *testing.T, url, file, dataset string, killAt int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDBEnv+"="+url, crashFileEnv+"="+file, crashDatasetEnv+"="+dataset)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "done") {
			cmd.Wait()
			t.Fatalf("the import ended before the kill: %s (stderr %s)", line, stderr.String())
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(line, "rows "))
		if n >= killAt {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !killed || !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child not killed mid-import: killed=%v, wait: %v, stderr: %s", killed, err, stderr.String())
	}
}

// TestPostGISImportSurvivesKill kills imports mid-way, into a dataset with
// rows and into an empty one, and checks that each dataset is exactly as
// before and still takes imports.
func TestPostGISImportSurvivesKill(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	base := genDemo(t, 20000, 1, 0)
	mustRun(t, "import", base, "--db", url, "--dataset", "crash", "--json", "--no-analyze")
	st := openPostGIS(t, url)
	if err := st.CreateDataset(ctx, &kume.Dataset{Name: "empty", Visibility: kume.Private}); err != nil {
		t.Fatal(err)
	}
	before := datasetFingerprint(t, st, "crash")
	if before.count != 20000 {
		t.Fatalf("baseline has %d rows, want 20000", before.count)
	}
	v0, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Ids overlap the baseline's: the killed import was updating and inserting.
	big := genDemo(t, 100000, 2, 0)
	killImport(t, url, big, "crash", 40000)
	killImport(t, url, big, "empty", 40000)

	if after := datasetFingerprint(t, st, "crash"); after != before {
		t.Errorf("dataset after the kill: %d rows %s, before: %d rows %s", after.count, after.sum, before.count, before.sum)
	}
	if after := datasetFingerprint(t, st, "empty"); after.count != 0 {
		t.Errorf("empty dataset holds %d rows after the kill", after.count)
	}
	if v, err := st.DataVersion(ctx); err != nil || v != v0 {
		t.Errorf("data version %d (%v) after the kill, before %d", v, err, v0)
	}
	// The locks died with the child: both datasets take imports again.
	s := importSummary(t, mustRun(t, "import", base, "--db", url, "--dataset", "crash", "--json", "--no-analyze"))
	if s.Unchanged != 20000 || s.Inserted+s.Updated != 0 {
		t.Errorf("re-import after the kill: %+v", s)
	}
	s = importSummary(t, mustRun(t, "import", base, "--db", url, "--dataset", "empty", "--json", "--no-analyze"))
	if s.Inserted != 20000 {
		t.Errorf("import into the empty dataset after the kill: %+v", s)
	}
}
