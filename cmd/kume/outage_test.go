package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testCluster is a throwaway PostgreSQL cluster of scripts/testdb.sh that a
// test may stop and start.
type testCluster struct {
	dir, url, bindir, owner string
	opts                    []string // the server's options, without -D
}

// startCluster starts a cluster of its own on a free port of the kernel's
// ephemeral range (where a client dialling a stopped server can connect to
// itself) and stops and removes it when the test ends. Without PostgreSQL
// the test is skipped, or fails under CI=true.
func startCluster(t *testing.T) *testCluster {
	t.Helper()
	bindir := ""
	for _, d := range []string{os.Getenv("PG_BINDIR"), "/usr/lib/postgresql/15/bin"} {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); d != "" && err == nil {
			bindir = d
			break
		}
	}
	if bindir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PostgreSQL server binaries not found: the outage test cannot run")
		}
		t.Skip("PostgreSQL server binaries not found (install postgresql-15 or set PG_BINDIR)")
	}
	dir, err := os.MkdirTemp("", "kume-outage-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../../scripts/testdb.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "start", dir)
	cmd.Env = append(os.Environ(), "PG_BINDIR="+bindir, "PG_PORT="+strconv.Itoa(ephemeralPort(t)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("testdb.sh start: %v\n%s", err, stderr.String())
	}
	c := &testCluster{dir: dir, url: strings.TrimSpace(string(out)), bindir: bindir}
	t.Cleanup(func() {
		if out, err := exec.Command(script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("testdb.sh stop: %v\n%s", err, out)
		}
	})
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(dir, "data"), &st); err != nil {
		t.Fatal(err)
	}
	u, err := user.LookupId(strconv.Itoa(int(st.Uid)))
	if err != nil {
		t.Fatal(err)
	}
	c.owner = u.Username
	opts, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.opts"))
	if err != nil {
		t.Fatal(err)
	}
	args := regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(string(opts), -1)
	for i := 0; i < len(args); i++ {
		if args[i][1] == "-D" {
			i++
			continue
		}
		c.opts = append(c.opts, args[i][1])
	}
	return c
}

// ephemeralPort returns a free port of the kernel's ephemeral range.
func ephemeralPort(t *testing.T) int {
	lo, hi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &lo, &hi)
	}
	for range 100 {
		p := lo + rand.IntN(hi-lo+1)
		if ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p))); err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("no free port in the ephemeral range")
	return 0
}

// pgCtl runs pg_ctl on the cluster as its owner.
func (c *testCluster) pgCtl(t *testing.T, args ...string) {
	t.Helper()
	args = append([]string{filepath.Join(c.bindir, "pg_ctl"), "-D", filepath.Join(c.dir, "data")}, args...)
	if os.Getuid() == 0 && c.owner != "root" {
		args = append([]string{"runuser", "-u", c.owner, "--"}, args...)
	}
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
		t.Fatalf("%s: %v\n%s\n%s", strings.Join(args, " "), err, out, log)
	}
}

// stop stops the server (fast shutdown, as an operator would).
func (c *testCluster) stop(t *testing.T) { c.pgCtl(t, "stop", "-m", "fast", "-w") }

// start starts the server again with the options it had.
func (c *testCluster) start(t *testing.T) {
	c.pgCtl(t, "start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "postgres.log"), "-o", strings.Join(c.opts, " "))
}

// outcome is what one request of the load saw.
type outcome struct {
	at     time.Time
	status int
	took   time.Duration
	retry  string
	json   bool
}

// TestDatabaseOutageUnderLoad stops the PostgreSQL server under a running
// kume serve while 16 clients keep requesting, leaves it down for 5 s and
// starts it again on the same port. While it is down every request fails
// fast with a JSON 503 carrying Retry-After, /readyz says the database is
// unreachable, and kume makes a few dozen connection attempts (the backoff),
// not thousands; PostgreSQL starts again (kume holds no connection to its
// port), and every route answers 200 again within the backoff's maximum
// without restarting kume.
func TestDatabaseOutageUnderLoad(t *testing.T) {
	c := startCluster(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{DB: c.url}, NoDemo: true, Drain: time.Second, RatePerIP: -1,
			MetricsAddr: "127.0.0.1:0"},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv.cfg.StoreDescription = srv.cfg.Store.describe()
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	base := "http://" + srv.addr()
	health := storeHealth(srv.store)
	client := &http.Client{Timeout: 10 * time.Second}

	var mu sync.Mutex
	var seen []outcome
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := []string{"/api/v1/establishments?limit=10", "/api/v1/datasets", "/api/v1/regions"}[i%3]
			for loadCtx.Err() == nil {
				start := time.Now()
				res, err := client.Get(base + path)
				if err != nil {
					if loadCtx.Err() == nil {
						t.Errorf("GET %s: %v", path, err)
					}
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				var e struct{ Code string }
				o := outcome{at: start, status: res.StatusCode, took: time.Since(start), retry: res.Header.Get("Retry-After"),
					json: json.Unmarshal(b, &e) == nil && e.Code != ""}
				mu.Lock()
				seen = append(seen, o)
				mu.Unlock()
				if res.StatusCode != http.StatusOK {
					time.Sleep(10 * time.Millisecond) // a client that backs off a little
				}
			}
		}()
	}
	up := func() string { // kume_database_up on the metrics listener
		res, err := client.Get("http://" + srv.metricsLn.Addr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return regexp.MustCompile(`(?m)^kume_database_up (\d)$`).FindString(string(b))
	}
	readyz := func() (int, string) {
		res, err := client.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}

	time.Sleep(2 * time.Second)
	stopAt := time.Now()
	c.stop(t)
	stoppedAt := time.Now()
	before := health()
	time.Sleep(5 * time.Second)
	code, body := readyz()
	upDuring := up()
	during := health()
	startAt := time.Now()
	c.start(t) // fails when the port is still held
	startedAt := time.Now()
	var upAt time.Time
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, _ := readyz(); c == http.StatusOK {
			upAt = time.Now()
			break
		}
	}
	time.Sleep(time.Second)
	upAfter := up()
	stopLoad()
	wg.Wait()
	// The clients leave: a connection their transport dialled and never used
	// would count as busy for 5 s (net/http's rule for new connections) and
	// outlast the 1 s drain.
	client.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}

	t.Logf("stopped in %v, down %v, started in %v; ready %v after the start",
		stoppedAt.Sub(stopAt).Round(time.Millisecond), startAt.Sub(stoppedAt).Round(time.Millisecond),
		startedAt.Sub(startAt).Round(time.Millisecond), upAt.Sub(startedAt).Round(time.Millisecond))
	t.Logf("connection attempts while down: %d made, %d refused by the backoff", during.Attempts-before.Attempts, during.Deferred-before.Deferred)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database unreachable since") {
		t.Errorf("/readyz while down: %d %s", code, body)
	}
	if upDuring != "kume_database_up 0" || upAfter != "kume_database_up 1" {
		t.Errorf("metrics: %q while down, %q after", upDuring, upAfter)
	}
	if during.Reachable || during.Attempts-before.Attempts > 40 || during.Deferred-before.Deferred < 100 {
		t.Errorf("while down: %+v (before %+v); want a few dozen attempts and many deferred", during, before)
	}
	if upAt.IsZero() || upAt.Sub(startedAt) > 8*time.Second {
		t.Fatalf("not ready again within 8 s of the start (the longest backoff is 5 s)")
	}
	counts := map[string]int{}
	for _, o := range seen {
		phase := "outage" // in flight at the stop, or begun before the server was ready again
		switch {
		case o.at.After(upAt):
			phase = "after"
		case o.at.Add(o.took).Before(stopAt):
			phase = "before"
		}
		counts[fmt.Sprintf("%s %d", phase, o.status)]++
		switch {
		case phase != "outage" && o.status != http.StatusOK:
			t.Errorf("%s the outage: %d", phase, o.status)
		case o.status != http.StatusOK && (o.status != http.StatusServiceUnavailable || o.retry == "" || !o.json):
			t.Errorf("during the outage: %d, Retry-After %q, JSON %v; want 503 with both", o.status, o.retry, o.json)
		case phase == "outage" && o.at.After(stoppedAt) && o.at.Before(startAt) && o.took > time.Second:
			t.Errorf("a request while down took %v; want it to fail fast", o.took)
		}
	}
	t.Logf("answers: %v", counts)
	if counts["outage 503"] == 0 || counts["after 200"] == 0 {
		t.Errorf("answers %v: want 503s during the outage and 200s after", counts)
	}
}
