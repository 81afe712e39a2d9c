package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/store/postgis"
)

// TestServeReplica serves a primary and a real standby (pg_basebackup -R):
// once the standby has the analysed version the API's reads go to it, and
// with the standby stopped mid-run every request still answers, from the
// primary.
func TestServeReplica(t *testing.T) {
	pair := pgtest.NewPair(t)
	csv := genDemo(t, 3000, 7, 0)
	mustRun(t, "import", csv, "--db", pair.Primary, "--dataset", "synthetic", "--visibility", "public", "--no-analyze")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", NoDemo: true, Drain: time.Second, TileCacheMB: -1,
			Store: storeConfig{DB: pair.Primary, Replicas: []string{pair.Standby}, Log: log}},
		log: log,
	}
	if err := srv.open(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	rs, ok := srv.store.(*postgis.Replicated)
	if !ok {
		t.Fatalf("kume serve with --db-replica opened a %T", srv.store)
	}
	base := "http://" + srv.addr()
	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	// The first analysis, then the standby replays it.
	var version int64
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var body struct {
			DataVersion int64 `json:"data_version"`
			Latest      *struct {
				Version int64 `json:"version"`
			} `json:"latest"`
		}
		if code, b := get("/api/v1/analysis"); code != http.StatusOK || json.Unmarshal(b, &body) != nil {
			t.Fatalf("GET /api/v1/analysis: %d %s", code, b)
		}
		if body.Latest != nil && body.Latest.Version == body.DataVersion {
			version = body.DataVersion
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no analysis in 90 s")
		}
	}
	waitStandby(t, pair.Standby, version)
	time.Sleep(1100 * time.Millisecond) // the router asks the primary for the version again

	paths := []string{
		"/api/v1/establishments?limit=50",
		"/api/v1/hexagons?res=6",
		"/api/v1/clusters",
		"/tiles/hexagons/6/37/24.mvt",
		"/tiles/hexagons,clusters/7/74/48.mvt",
		"/api/v1/export/hexagons.csv?res=5",
	}
	answers := map[string][]byte{}
	p0, reps := rs.Status()
	for _, p := range paths {
		code, b := get(p)
		if code != http.StatusOK && code != http.StatusNoContent {
			t.Fatalf("GET %s: %d %.300s", p, code, b)
		}
		answers[p] = b
	}
	p1, reps1 := rs.Status()
	t.Logf("with the standby up: primary %d reads, replica %d reads", p1-p0, reps1[0].Reads-reps[0].Reads)
	if reps1[0].Reads-reps[0].Reads < int64(len(paths)) {
		t.Errorf("the replica served %d reads for %d requests", reps1[0].Reads-reps[0].Reads, len(paths))
	}

	// The standby stops: every request still answers, from the primary.
	pair.HaltStandby(t)
	p0, reps = rs.Status()
	for range 3 {
		for _, p := range paths {
			code, b := get(p)
			if code != http.StatusOK && code != http.StatusNoContent {
				t.Fatalf("GET %s with the standby down: %d %.300s", p, code, b)
			}
			// Tiles are the same bytes; JSON and CSV carry the time they were made.
			if strings.HasPrefix(p, "/tiles/") && !bytes.Equal(b, answers[p]) {
				t.Errorf("GET %s with the standby down answers otherwise", p)
			}
		}
	}
	p1, reps1 = rs.Status()
	t.Logf("with the standby down: primary %d reads, replica %d reads, up %v", p1-p0, reps1[0].Reads-reps[0].Reads, reps1[0].Up)
	if reps1[0].Up || p1 == p0 {
		t.Errorf("standby down: replica up %v, primary reads %d → %d", reps1[0].Up, p0, p1)
	}
}

// waitStandby waits until the standby has replayed data version v.
func waitStandby(t *testing.T, url string, v int64) {
	t.Helper()
	var got int64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			continue
		}
		err = conn.QueryRow(context.Background(), "SELECT version FROM data_version").Scan(&got)
		conn.Close(context.Background())
		if err == nil && got >= v {
			return
		}
	}
	t.Fatalf("the standby has data version %d after 30 s, want %d", got, v)
}

// TestPrintConfigReplicas checks --db-replica and KUME_DB_REPLICAS: masked in
// --print-config, the flag replacing the environment, and refused without --db.
func TestPrintConfigReplicas(t *testing.T) {
	runEnv := func(env map[string]string, args ...string) result {
		var out, errb bytes.Buffer
		e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
		err := Run(context.Background(), e, args)
		return result{out.String(), errb.String(), err}
	}
	store := func(r result) string {
		t.Helper()
		if r.err != nil {
			t.Fatalf("kume serve: %v %s", r.err, r.stderr)
		}
		var cfg map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil {
			t.Fatalf("--print-config printed %q: %v", r.stdout, err)
		}
		s, _ := cfg["store"].(string)
		if strings.Contains(s, "s3cret") {
			t.Errorf("store %q shows a password", s)
		}
		return s
	}
	primary := "postgres://kume:s3cret@db0:5432/kume"
	env := map[string]string{"KUME_DB_REPLICAS": "postgres://kume:s3cret@db1:5432/kume  postgres://kume:s3cret@db2:5432/kume"}
	got := store(runEnv(env, "serve", "--db", primary, "--print-config"))
	if want := "PostGIS at postgres://kume:xxxxx@db0:5432/kume, read replicas postgres://kume:xxxxx@db1:5432/kume, postgres://kume:xxxxx@db2:5432/kume"; got != want {
		t.Errorf("store %q, want %q", got, want)
	}
	got = store(runEnv(env, "serve", "--db", primary, "--db-replica", "postgres://kume:s3cret@db3:5432/kume", "--print-config"))
	if !strings.HasSuffix(got, "read replicas postgres://kume:xxxxx@db3:5432/kume") {
		t.Errorf("--db-replica does not replace KUME_DB_REPLICAS: %q", got)
	}
	r := runEnv(nil, "serve", "--db-replica", "postgres://db1/kume", "--print-config")
	if r.err == nil || !strings.Contains(errorText(r.err), "--db-replica needs a PostGIS primary") {
		t.Errorf("--db-replica without --db: %v", r.err)
	}
}
