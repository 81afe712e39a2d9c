package pgtest

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Pair is a primary PostgreSQL server with PostGIS and a hot standby that
// streams from it, made with pg_basebackup -R: two servers of their own,
// started for one test by scripts/testdb.sh (start, then standby), on free
// ports of 127.0.0.1. Both hold the database kume_test with PostGIS.
type Pair struct {
	// Primary and Standby are the URLs of kume_test on each server.
	Primary, Standby string
	dir, script      string
}

// NewPair starts a Pair and stops and removes both servers when the test
// ends. It needs the PostgreSQL 15 server binaries and PostGIS (make test
// installs them). Like URL, it runs only where the PostGIS tests run (with
// KUME_TEST_DATABASE_URL set, or CI=true) and skips otherwise; under CI=true a
// pair that cannot start fails the test.
func NewPair(tb testing.TB) *Pair {
	tb.Helper()
	URL(tb)
	fail := tb.Skipf
	if os.Getenv("CI") == "true" {
		fail = tb.Fatalf
	}
	script, err := findScript()
	if err != nil {
		fail("pgtest: %v", err)
		return nil
	}
	// The servers may run as another user (initdb refuses root), who must
	// reach the directory: not t.TempDir, which is private to this user.
	dir, err := os.MkdirTemp("", "kume-pair-")
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	p := &Pair{dir: dir, script: script}
	tb.Cleanup(func() {
		for _, sub := range []string{"standby", "primary"} {
			if _, err := os.Stat(filepath.Join(dir, sub)); err == nil {
				if _, err := p.run("stop", filepath.Join(dir, sub)); err != nil {
					tb.Errorf("pgtest: stop %s: %v", sub, err)
				}
			}
		}
		os.RemoveAll(dir)
	})
	if p.Primary, err = p.run("start", filepath.Join(dir, "primary")); err != nil {
		fail("pgtest: cannot start a primary server: %v", err)
		return nil
	}
	if p.Standby, err = p.run("standby", filepath.Join(dir, "primary"), filepath.Join(dir, "standby")); err != nil {
		fail("pgtest: cannot make a standby with pg_basebackup: %v", err)
		return nil
	}
	return p
}

// HaltStandby stops the standby at once (an immediate shutdown, as a crash
// would), keeping its files and port.
func (p *Pair) HaltStandby(tb testing.TB) {
	tb.Helper()
	if _, err := p.run("halt", filepath.Join(p.dir, "standby")); err != nil {
		tb.Fatalf("pgtest: halt the standby: %v", err)
	}
}

// ResumeStandby starts the halted standby again on its port; it catches up
// with the primary from there.
func (p *Pair) ResumeStandby(tb testing.TB) {
	tb.Helper()
	if _, err := p.run("resume", filepath.Join(p.dir, "standby")); err != nil {
		tb.Fatalf("pgtest: resume the standby: %v", err)
	}
}

// HaltPrimary stops the primary at once, keeping its files and port.
func (p *Pair) HaltPrimary(tb testing.TB) {
	tb.Helper()
	if _, err := p.run("halt", filepath.Join(p.dir, "primary")); err != nil {
		tb.Fatalf("pgtest: halt the primary: %v", err)
	}
}

// ResumePrimary starts the halted primary again on its port.
func (p *Pair) ResumePrimary(tb testing.TB) {
	tb.Helper()
	if _, err := p.run("resume", filepath.Join(p.dir, "primary")); err != nil {
		tb.Fatalf("pgtest: resume the primary: %v", err)
	}
}

// run runs scripts/testdb.sh with args and returns its standard output,
// trimmed; an error carries its standard error.
func (p *Pair) run(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{p.script}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", errors.New(strings.TrimSpace(err.Error() + ": " + lastLines(stderr.String(), 15)))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// findScript returns the path of scripts/testdb.sh in the module that holds
// the working directory.
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			s := filepath.Join(dir, "scripts", "testdb.sh")
			if _, err := os.Stat(s); err != nil {
				return "", errors.New("scripts/testdb.sh not found beside go.mod")
			}
			return s, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// NewDatabase creates a fresh database with PostGIS on the primary, which
// the standby replays, drops it when the test ends, and returns its URL on
// the primary and on the standby.
func (p *Pair) NewDatabase(tb testing.TB) (primary, standby string) {
	tb.Helper()
	primary = newDatabaseOn(tb, p.Primary)
	pu, err := url.Parse(primary)
	if err != nil {
		tb.Fatal(err)
	}
	su, err := url.Parse(p.Standby)
	if err != nil {
		tb.Fatal(err)
	}
	su.Path = pu.Path
	return primary, su.String()
}
