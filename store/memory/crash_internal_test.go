package memory

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
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
)

const (
	crashBase  = 2000  // rows in the dataset before the child starts
	crashBatch = 60000 // rows each child import adds
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashDir); dir != "" {
		if err := crashChild(dir, os.Getenv(envCrashAt), os.Getenv(envCrashLoop) != ""); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild imports into dataset 1 of dir: once, dying at the hook event at,
// or in a loop, printing "committed <rows>" after each commit, until killed.
func crashChild(dir, at string, loop bool) error {
	s, err := Open(dir)
	if err != nil {
		return err
	}
	if at != "" {
		s.hook = func(ev string) {
			if ev == at {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
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
