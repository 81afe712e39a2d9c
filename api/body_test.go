package api

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestSlowUploadIsCut: over a real connection, an upload that trickles its
// body (a few bytes every 100 ms) or stops half-way is answered 408 and its
// connection closed within the grace and idle times, not the server's
// two-minute ReadTimeout; its temporary file is gone and no job is stored.
// An upload at a steady rate passes.
func TestSlowUploadIsCut(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, st, keys := newTestServer(t, teststores.Memory, func(c *Config, d *Deps) {
		d.Importer = lineImporter{}
		c.API.BodyGrace, c.API.BodyIdleTimeout, c.API.BodyMinRate = 500*time.Millisecond, time.Second, 20<<10
	})
	srv := httptest.NewUnstartedServer(s)
	srv.Config = s.HTTPServer("")
	srv.Start()
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	// send writes an upload's head announcing size bytes, then body as
	// chunks of chunk bytes every pause (after the first stop bytes, none),
	// and returns the status line the server answers with within limit and
	// when ("" when there is none).
	send := func(size, chunk, stop int, pause, limit time.Duration) (string, time.Duration) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "POST /api/v1/datasets/1/imports HTTP/1.1\r\nHost: kume.test\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: text/csv\r\nContent-Length: %d\r\n\r\nname\n", keys[kume.ScopeWrite], size)
		status := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(conn).ReadString('\n')
			status <- strings.TrimSpace(line)
		}()
		sent := 5
		for sent < size && time.Since(start) < limit {
			if sent >= stop {
				break
			}
			n := min(chunk, size-sent)
			if _, err := conn.Write([]byte(strings.Repeat("x", n-1) + "\n")); err != nil {
				break // the server closed the connection
			}
			sent += n
			select {
			case line := <-status:
				return line, time.Since(start)
			case <-time.After(pause):
			}
		}
		select {
		case line := <-status:
			return line, time.Since(start)
		case <-time.After(max(0, limit-time.Since(start))):
		}
		return "", time.Since(start)
	}

	for _, tc := range []struct {
		name               string
		size, chunk, stop  int
		pause              time.Duration
		status             string
		within             time.Duration
		leavesNoUploadFile bool
	}{
		// 10 bytes every 100 ms is 100 B/s: cut at the end of the grace.
		{"trickle", 1 << 20, 10, 1 << 20, 100 * time.Millisecond, "HTTP/1.1 408", 3 * time.Second, true},
		// Half the body at once, then nothing: cut after the idle time.
		{"stall", 64 << 10, 32 << 10, 32 << 10, 0, "HTTP/1.1 408", 4 * time.Second, true},
		// 8 KiB every 50 ms is 160 KiB/s: passes.
		{"steady", 256 << 10, 8 << 10, 1 << 30, 50 * time.Millisecond, "HTTP/1.1 202", 20 * time.Second, false},
	} {
		line, took := send(tc.size, tc.chunk, tc.stop, tc.pause, tc.within)
		if !strings.HasPrefix(line, tc.status) || took > tc.within {
			t.Errorf("%s: %q after %v, want %s within %v", tc.name, line, took, tc.status, tc.within)
		}
		if tc.leavesNoUploadFile {
			// The handler removes the spooled file before it answers.
			if left, _ := filepath.Glob(filepath.Join(tmp, "kume-upload-*")); len(left) != 0 {
				t.Errorf("%s: temporary files left: %v", tc.name, left)
			}
			if jobs, _ := st.Jobs(context.Background(), kume.JobFilter{}); len(jobs) != 0 {
				t.Errorf("%s: %d jobs stored", tc.name, len(jobs))
			}
		}
	}
	// The steady upload's import goes on after its 202: wait for its job to
	// end before the store and its directory go.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		jobs, err := st.Jobs(context.Background(), kume.JobFilter{})
		if err == nil && len(jobs) > 0 && !slices.ContainsFunc(jobs, func(j kume.Job) bool {
			return !j.Status.Finished()
		}) {
			break
		}
	}
}

// TestSlowJSONBodyIsCut: a JSON body (here a value chain) that stops coming
// is cut the same way.
func TestSlowJSONBodyIsCut(t *testing.T) {
	s, _, keys := newTestServer(t, teststores.Memory, func(c *Config, _ *Deps) {
		c.API.BodyGrace, c.API.BodyIdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	})
	srv := httptest.NewUnstartedServer(s)
	srv.Config = s.HTTPServer("")
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "PUT /api/v1/value-chains/x HTTP/1.1\r\nHost: kume.test\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":\"x\",", keys[kume.ScopeAdmin])
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if !strings.HasPrefix(line, "HTTP/1.1 408") {
		t.Errorf("stalled JSON body: %q (%v) after %v, want a 408 within 5 s", line, err, time.Since(start))
	}
}
