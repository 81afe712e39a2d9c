package memory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
)

// The crash tests run this test binary again as a child process that imports
// into a data directory and dies by SIGKILL in the middle; the parent then
// reopens the directory and checks that it holds exactly a committed state.
const (
	envCrashDir  = "KUME_MEMORY_CRASH_DIR"
	envCrashAt   = "KUME_MEMORY_CRASH_AT"   // hook event at which the child kills itself
	envCrashLoop = "KUME_MEMORY_CRASH_LOOP" // the child commits in a loop until killed
	// envCrashStream makes the child stream an analysis instead of importing.
	envCrashStream = "KUME_MEMORY_CRASH_STREAM"
)

const (
	crashBase  = 2000  // rows in the dataset before the child starts
	crashBatch = 60000 // rows each child import adds
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashDir); dir != "" {
		run := crashChild
		if os.Getenv(envCrashStream) != "" {
			run = crashStreamChild
		}
		if err := run(dir, os.Getenv(envCrashAt), os.Getenv(envCrashLoop) != ""); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashOpen opens dir with a hook that kills the process at the event at.
func crashOpen(dir, at string) (*Store, error) {
	s, err := Open(dir)
	if err != nil {
		return nil, err
	}
	if at != "" {
		s.hook = func(ev string) {
			if ev == at {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	}
	return s, nil
}

// crashChild imports into dataset 1 of dir: once, dying at the hook event at,
// or in a loop, printing "committed <rows>" after each commit, until killed.
func crashChild(dir, at string, loop bool) error {
	s, err := crashOpen(dir, at)
	if err != nil {
		return err
	}
	ctx := context.Background()
	fmt.Println("started")
	for n := 1; ; n++ {
		rows := storetest.Synthetic("base", crashBase) // each round renames these
		for i := range rows {
			rows[i].Name = fmt.Sprintf("round %d", n)
		}
		rows = append(rows, storetest.Synthetic("round"+strconv.Itoa(n)+"-", crashBatch)...)
		imp, err := s.BeginImport(ctx, 1, kume.ImportOptions{})
		if err != nil {
			return err
		}
		if err := imp.Add(ctx, rows); err != nil {
			return err
		}
		if _, err := imp.Commit(ctx); err != nil {
			return err
		}
		d, err := s.Dataset(ctx, 1)
		if err != nil {
			return err
		}
		fmt.Println("committed", d.Count)
		if !loop {
			return s.Close()
		}
	}
}

// crashSetup creates a data directory holding every fixture plus dataset 1
// with crashBase rows, and returns it with its contents.
func crashSetup(t *testing.T) (string, *storetest.Contents) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, s)
	storetest.MustImport(t, s, 1, kume.ImportOptions{}, storetest.Synthetic("base", crashBase))
	before := storetest.Dump(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, before
}

func crashCommand(t *testing.T, dir string, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{envCrashDir + "=" + dir}, env...)...)
	cmd.Stderr = os.Stderr
	return cmd
}

func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func reopenDump(t *testing.T, dir string) *storetest.Contents {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("reopen after the crash: %v", err)
	}
	defer s.Close()
	return storetest.Dump(t, s)
}

func TestCrashAtEachStep(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-run the binary with large imports")
	}
	for _, ev := range []string{"table-half", "data-written", "manifest-written", "committed"} {
		t.Run(ev, func(t *testing.T) {
			dir, before := crashSetup(t)
			err := crashCommand(t, dir, envCrashAt+"="+ev).Run()
			if !killedBySIGKILL(err) {
				t.Fatalf("child did not die by SIGKILL at %s: %v", ev, err)
			}
			after := reopenDump(t, dir)
			if ev != "committed" {
				storetest.AssertSameContents(t, after, before)
				return
			}
			// The MANIFEST was renamed: the import is committed.
			if n := len(after.Establishments) - len(before.Establishments); n != crashBatch {
				t.Errorf("after a crash past the commit point: %d new rows, want %d", n, crashBatch)
			}
			if after.DataVersion <= before.DataVersion {
				t.Errorf("DataVersion %d after a committed import, was %d", after.DataVersion, before.DataVersion)
			}
		})
	}
}

// TestCrashAnyTime kills a child that commits imports in a loop at a random
// moment; the directory must hold one of the committed states.
func TestCrashAnyTime(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-run the binary with large imports")
	}
	dir, before := crashSetup(t)
	cmd := crashCommand(t, dir, envCrashLoop+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	committed := map[int]bool{before.Datasets[0].Count: true}
	if l := <-lines; l != "started" {
		t.Fatalf("child said %q", l)
	}
	// Let one round commit, then kill at a random point of the next ones.
	if l := <-lines; strings.HasPrefix(l, "committed ") {
		n, _ := strconv.Atoi(strings.TrimPrefix(l, "committed "))
		committed[n] = true
	}
	time.Sleep(time.Duration(rand.IntN(600)) * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	for l := range lines {
		var n int
		if _, err := fmt.Sscanf(l, "committed %d", &n); err == nil {
			committed[n] = true
		}
	}
	if err := cmd.Wait(); !killedBySIGKILL(err) {
		t.Fatalf("child did not die by SIGKILL: %v", err)
	}
	after := reopenDump(t, dir)
	// The commit in flight when the child died may or may not have reached
	// its commit point; either way the rows form one consistent round.
	n := len(after.Establishments)
	if (n-len(before.Establishments))%crashBatch != 0 {
		t.Fatalf("%d rows after the crash: not a committed state (rounds of %d)", n, crashBatch)
	}
	rounds := (n - len(before.Establishments)) / crashBatch
	t.Logf("killed after %d committed rounds; the store holds %d rounds (committed counts %v)", len(committed)-1, rounds, committed)
	if rounds < len(committed)-1 || rounds > len(committed) {
		t.Errorf("store holds %d rounds; the child reported %d commits", rounds, len(committed)-1)
	}
	want := "round " + strconv.Itoa(rounds)
	for _, e := range after.Establishments {
		if e.DatasetID == 1 && strings.HasPrefix(e.SourceID, "base") && rounds > 0 && e.Name != want {
			t.Fatalf("row %s is named %q, want %q: a mix of rounds", e.SourceID, e.Name, want)
		}
	}
	d, want0 := after.Datasets[0], before.Datasets[0].Count
	if d.ID != 1 || d.Count != want0+rounds*crashBatch {
		t.Errorf("dataset 1 counts %d rows, want %d", d.Count, want0+rounds*crashBatch)
	}
}

// crashStreamCells returns the cells the stream crash child saves.
func crashStreamCells() *synthCells { return newSynthCells(3, 6, 0.1) }

// crashStreamChild streams crashStreamCells into dir in batches, dying at the
// hook event at.
func crashStreamChild(dir, at string, _ bool) error {
	s, err := crashOpen(dir, at)
	if err != nil {
		return err
	}
	g := crashStreamCells()
	ctx := context.Background()
	w, err := s.BeginAnalysis(ctx, g.count())
	if err != nil {
		return err
	}
	defer w.Abort()
	buf, floats := make([]kume.CellStat, 1<<15), make([]float64, 3<<15)
	for b := g.next(buf, floats); len(b) > 0; b = g.next(buf, floats) {
		if err := w.WriteCells(ctx, b); err != nil {
			return err
		}
	}
	if _, err := w.Commit(ctx, synthTail()); err != nil {
		return err
	}
	return s.Close()
}

// TestCrashStreamedAnalysis kills a child streaming an analysis at each step:
// with half the cells in the temp file, with the data file renamed, with the
// new MANIFEST written but not renamed, and after the commit. Reopened, the
// directory holds the state before, or after the commit, and no other file.
func TestCrashStreamedAnalysis(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests re-run the binary")
	}
	for _, ev := range []string{"cells-written", "data-written", "manifest-written", "committed"} {
		t.Run(ev, func(t *testing.T) {
			dir, before := crashSetup(t)
			err := crashCommand(t, dir, envCrashStream+"=1", envCrashAt+"="+ev).Run()
			if !killedBySIGKILL(err) {
				t.Fatalf("child did not die by SIGKILL at %s: %v", ev, err)
			}
			if ev == "cells-written" {
				// The crash left a partial temp file for Open to remove.
				if n := tempBytes(t, dir); n == 0 {
					t.Fatal("no partial analysis in a temp file at the crash")
				}
			}
			after := reopenDump(t, dir)
			assertNoTemp(t, dir)
			if n := len(dataFiles(t, dir, "analysis-")); n != 1 {
				t.Errorf("%d analysis files after reopening, want 1", n)
			}
			if ev != "committed" {
				storetest.AssertSameContents(t, after, before)
				return
			}
			if after.DataVersion <= before.DataVersion || after.Run == nil || after.Run.Version != after.DataVersion {
				t.Fatalf("after a committed stream: data version %d (was %d), run %+v", after.DataVersion, before.DataVersion, after.Run)
			}
			want := dumpOrder(crashStreamCells().all())
			if len(after.Cells) != len(want) {
				t.Fatalf("%d cells after a committed stream, want %d", len(after.Cells), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(after.Cells[i], want[i]) {
					t.Fatalf("cell %d = %+v, want %+v", i, after.Cells[i], want[i])
				}
			}
			if len(after.Clusters) != len(synthTail().Clusters) {
				t.Errorf("%d clusters, want %d", len(after.Clusters), len(synthTail().Clusters))
			}
		})
	}
}

// tempBytes returns the size of the temp files in dir.
func tempBytes(t *testing.T, dir string) int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			info, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			n += info.Size()
		}
	}
	return n
}

// dataFiles lists the names in dir that start with prefix.
func dataFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// dumpOrder returns the cells of storetest.Sectors() in the order
// storetest.Dump reads them: by sector, resolution, then cell.
func dumpOrder(cells []kume.CellStat) []kume.CellStat {
	var out []kume.CellStat
	for _, sector := range storetest.Sectors() {
		for res := 0; res <= 15; res++ {
			for _, c := range cells {
				if c.Sector == sector && c.Res == res {
					out = append(out, c)
				}
			}
		}
	}
	return out
}
