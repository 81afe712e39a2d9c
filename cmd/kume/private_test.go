package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/pgtest"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// TestPrivateRegisterEmbedded and TestPrivateRegisterPostGIS check, end to
// end, that a private register is analysed and visible only to a key granted
// it: kume import of a generated public register and of a generated private
// one (seeded, made up), kume analyze of the public datasets and then of
// every dataset, kume keys create with and without a grant, and then kume
// serve asked by an anonymous caller, a read key without a grant and the key
// granted the register.
func TestPrivateRegisterEmbedded(t *testing.T) {
	dir := t.TempDir()
	testPrivateRegister(t, []string{"--store", dir}, storeConfig{Dir: dir})
}

func TestPrivateRegisterPostGIS(t *testing.T) {
	url := pgtest.NewDatabase(t)
	testPrivateRegister(t, []string{"--db", url}, storeConfig{DB: url})
}

// analysisBody is what the test reads of GET /api/v1/analysis.
type analysisBody struct {
	Latest *kume.AnalysisRun `json:"latest"`
}

func testPrivateRegister(t *testing.T, storeArgs []string, sc storeConfig) {
	ctx := context.Background()
	const private = "agency-2025"
	with := func(args ...string) []string { return append(args, storeArgs...) }
	pub, priv := genDemo(t, 2000, 1, 0), genDemo(t, 1200, 7, 0)
	mustRun(t, with("import", pub, "--dataset", "open-register", "--visibility", "public", "--on-error", "skip", "--no-analyze")...)
	// A private register (the default): the analysis after the import is
	// the public one, and says what it left out and how to analyse it.
	r := mustRun(t, with("import", priv, "--dataset", private, "--on-error", "skip")...)
	if !strings.Contains(r.stderr, `left out dataset "`+private+`" (`+kume.OmitPrivate+`)`) ||
		!strings.Contains(r.stderr, "kume analyze --datasets") {
		t.Errorf("the analysis after a private import does not say what it left out:\n%s", r.stderr)
	}
	out := mustRun(t, with("analyze", "--res", "5-7")...).stdout
	if !strings.Contains(out, `the public analysis read dataset "open-register"; left out dataset "`+private+`"`) {
		t.Errorf("kume analyze says:\n%s", out)
	}
	var sum analyzeSummary
	if err := json.Unmarshal([]byte(mustRun(t, with("analyze", "--res", "5-7", "--include-private", "--json")...).stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Scope != kume.AnalysisAll || len(sum.Datasets) != 2 || len(sum.Omitted) != 0 {
		t.Fatalf("kume analyze --include-private --json: %+v", sum)
	}
	if r := run(t, with("analyze", "--datasets", "open-register")...); kume.ErrorCode(r.err) != kume.EINVALID {
		t.Errorf("an analysis of public datasets named: %v", r.err)
	}
	var plain, granted, admin keyCreated
	for _, k := range []struct {
		dst  *keyCreated
		args []string
	}{{&plain, []string{"--scope", "read", "--name", "reader"}}, {&granted, []string{"--scope", "read", "--name", "agency", "--grant", "read:" + private}},
		{&admin, []string{"--scope", "admin", "--name", "ops"}}} {
		args := append([]string{"keys", "create", "--json"}, k.args...)
		if err := json.Unmarshal([]byte(mustRun(t, with(args...)...).stdout), k.dst); err != nil {
			t.Fatal(err)
		}
	}
	if list := mustRun(t, with("keys", "list")...).stdout; !strings.Contains(list, "read:"+private) {
		t.Errorf("kume keys list does not show the grant:\n%s", list)
	}
	// What each analysis holds, read from the store before the server takes it.
	st, err := sc.open(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Analyses(ctx)
	if err != nil || len(runs) != 2 || runs[0].Scope != kume.AnalysisAll || runs[1].Scope != kume.AnalysisPublic {
		t.Fatalf("analyses %+v, %v", runs, err)
	}
	// firms counts those of every cell, shown counts those of the cells
	// an anonymous caller sees the numbers of (not suppressed).
	firms, shown := map[kume.AnalysisScope]int{}, map[kume.AnalysisScope]int{}
	for _, run := range runs {
		cells, err := st.CellStats(ctx, kume.CellFilter{Version: run.Version, Res: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			firms[run.Scope] += c.Firms
			if !c.Suppressed {
				shown[run.Scope] += c.Firms
			}
		}
	}
	st.Close()
	if firms[kume.AnalysisPublic] == 0 || firms[kume.AnalysisAll] <= firms[kume.AnalysisPublic] {
		t.Fatalf("firms in the cells: %v; want the private register's on top of the public ones", firms)
	}

	// kume export reads the public analysis, or the one of every dataset.
	for scope, args := range map[kume.AnalysisScope][]string{kume.AnalysisPublic: nil, kume.AnalysisAll: {"--include-private"}} {
		out := mustRun(t, with(append([]string{"export", "geojson", "--layer", "hexagons", "--res", "5", "-o", "-"}, args...)...)...).stdout
		if got := hexagonFirms(t, []byte(out)); got != firms[scope] {
			t.Errorf("kume export %v: %d firms, want %d", args, got, firms[scope])
		}
	}
	if r := run(t, with("export", "geojson", "--layer", "hexagons", "--datasets", private, "-o", "-")...); kume.ErrorCode(r.err) != kume.ENOTFOUND ||
		!strings.Contains(r.err.Error(), "kume analyze --datasets "+private) {
		t.Errorf("kume export of an analysis never made: %v", r.err)
	}

	base, stop := startServerOn(t, sc)
	defer stop()
	tileFirms := map[string]int{}
	for _, c := range []struct {
		who, key string
		sees     bool
	}{{"anonymous", "", false}, {"a key without a grant", plain.Secret, false}, {"the key granted the register", granted.Secret, true}} {
		want, scope := firms[kume.AnalysisPublic], kume.AnalysisPublic
		if c.sees {
			want, scope = firms[kume.AnalysisAll], kume.AnalysisAll
		}
		if c.key == "" {
			want = shown[kume.AnalysisPublic] // suppressed numbers are masked
		}
		code, b := call(t, http.MethodGet, base+"/api/v1/datasets", c.key, "", nil)
		if code != 200 || strings.Contains(string(b), private) == !c.sees {
			t.Errorf("%s: datasets %d %.300s", c.who, code, b)
		}
		code, b = call(t, http.MethodGet, base+"/api/v1/analysis", c.key, "", nil)
		var ab analysisBody
		if err := json.Unmarshal(b, &ab); err != nil || code != 200 || ab.Latest == nil || ab.Latest.Scope != scope ||
			strings.Contains(string(b), private) == !c.sees {
			t.Errorf("%s: analysis %d %.400s", c.who, code, b)
		}
		code, b = call(t, http.MethodGet, base+"/api/v1/hexagons?res=5&limit=10000", c.key, "", nil)
		if got := hexagonFirms(t, b); code != 200 || got != want {
			t.Errorf("%s: the hexagons hold %d firms (%d), want %d", c.who, got, code, want)
		}
		code, b = call(t, http.MethodGet, base+"/api/v1/establishments?limit=5&dataset="+private, c.key, "", nil)
		if (code == 200) != c.sees || (c.sees && !strings.Contains(string(b), `"dataset_id"`)) {
			t.Errorf("%s: the register's establishments: %d %.200s", c.who, code, b)
		}
		// A vector tile of the hexagons around Ankara, a busy place of
		// the generated registers: its firms are those of the analysis.
		mt := maptile.At(orb.Point{32.85, 39.93}, 6)
		code, b = call(t, http.MethodGet, base+"/tiles/hexagons/6/"+itoa(int(mt.X))+"/"+itoa(int(mt.Y))+".mvt?res=5", c.key, "", nil)
		if code != 200 {
			t.Fatalf("%s: tile %d %.200s", c.who, code, b)
		}
		tileFirms[c.who] = tileHexFirms(t, b)
	}
	if tileFirms["anonymous"] != tileFirms["a key without a grant"] ||
		tileFirms["the key granted the register"] <= tileFirms["anonymous"] {
		t.Errorf("firms in the Ankara tile: %v; want the register's only for the key granted it", tileFirms)
	}

	// The API runs an analysis of the named datasets: its job says what it
	// read, and the key granted the register reads it, the newest.
	code, b := call(t, http.MethodPost, base+"/api/v1/analysis?datasets="+private+",open-register", admin.Secret, "", nil)
	var started struct {
		JobID string             `json:"job_id"`
		Scope kume.AnalysisScope `json:"scope"`
	}
	if err := json.Unmarshal(b, &started); err != nil || code != http.StatusAccepted || len(started.Scope.DatasetIDs()) != 2 {
		t.Fatalf("POST /api/v1/analysis?datasets=…: %d %s", code, b)
	}
	var job kume.Job
	for deadline := time.Now().Add(60 * time.Second); !job.Status.Finished(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the analysis job did not finish: %+v", job)
		}
		_, b = call(t, http.MethodGet, base+"/api/v1/jobs/"+started.JobID, admin.Secret, "", nil)
		json.Unmarshal(b, &job)
	}
	var res analysisResult
	if err := json.Unmarshal(job.Result, &res); err != nil || job.Status != kume.JobSucceeded || res.Scope != started.Scope || len(res.Datasets) != 2 {
		t.Fatalf("analysis job %+v %s", job, job.Result)
	}
	for key, want := range map[string]kume.AnalysisScope{granted.Secret: started.Scope, plain.Secret: kume.AnalysisPublic} {
		_, b = call(t, http.MethodGet, base+"/api/v1/analysis", key, "", nil)
		var ab analysisBody
		if err := json.Unmarshal(b, &ab); err != nil || ab.Latest == nil || ab.Latest.Scope != want {
			t.Errorf("after the API's run a key reads %.300s, want the analysis %s", b, want)
		}
	}
	_, b = call(t, http.MethodGet, base+"/api/v1/analysis", admin.Secret, "", nil)
	var all struct {
		Analyses []kume.AnalysisRun `json:"analyses"`
	}
	if err := json.Unmarshal(b, &all); err != nil || len(all.Analyses) != 3 {
		t.Errorf("an admin's analysis status lists %d analyses (%v), want 3", len(all.Analyses), err)
	}
}

// hexagonFirms sums the firms of a /hexagons answer.
func hexagonFirms(t *testing.T, b []byte) int {
	t.Helper()
	var fc struct {
		Features []struct {
			Properties struct {
				Firms *int `json:"firms"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("hexagons: %v: %.200s", err, b)
	}
	n := 0
	for _, f := range fc.Features {
		if f.Properties.Firms != nil {
			n += *f.Properties.Firms
		}
	}
	return n
}

// tileHexFirms sums the firms of the hexagons of a tile.
func tileHexFirms(t *testing.T, b []byte) int {
	t.Helper()
	layers, err := mvtcheck.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range layers {
		for _, f := range l.Features {
			switch v := f.Props["firms"].(type) {
			case int64:
				n += int(v)
			case uint64:
				n += int(v)
			case float64:
				n += int(v)
			}
		}
	}
	return n
}

// startServerOn serves the store of sc on a free port, without the demo,
// until the returned function is called.
func startServerOn(t *testing.T, sc storeConfig) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: sc, NoDemo: true, Drain: time.Second},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv.cfg.StoreDescription = srv.cfg.Store.describe()
	if err := srv.open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	return "http://" + srv.addr(), func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
		srv.close()
	}
}
