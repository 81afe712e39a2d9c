package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// startServer serves the embedded store in dir on a free port until the
// returned function is called.
func startServer(t *testing.T, dir string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{
		cfg: serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{Dir: dir}, NoDemo: true, Drain: time.Second},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv.cfg.StoreDescription = srv.cfg.Store.describe()
	if err := srv.open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx) }()
	// The control socket is up once serve has started the runner.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(controlPath(dir)); err == nil {
			break
		}
	}
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

// call sends a request with an optional key and returns the status and body.
func call(t *testing.T, method, url, key, ctype string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestCommandsBesideServer runs kume datasets, keys, export, jobs and import
// while kume serve holds the embedded store: reads work on a snapshot, key
// and dataset changes go through the server, an import fails saying why. An
// upload with import options runs as a job that outlives a restart.
func TestCommandsBesideServer(t *testing.T) {
	dir := t.TempDir()
	file := genDemo(t, 300, 5, 0)
	mustRun(t, "import", file, "--dataset", "reg", "--no-analyze", "--store", dir)
	base, stop := startServer(t, dir)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	if fi, err := os.Stat(filepath.Dir(controlPath(dir))); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("control socket directory: %v, %v; want mode 0700", fi, err)
	}
	var list []kume.Dataset
	if err := json.Unmarshal([]byte(mustRun(t, "datasets", "list", "--json", "--store", dir).stdout), &list); err != nil ||
		len(list) != 1 || list[0].Name != "reg" || list[0].Visibility != kume.Private || list[0].Count != 300 {
		t.Fatalf("datasets list beside the server: %+v, %v", list, err)
	}
	var key keyCreated
	if err := json.Unmarshal([]byte(mustRun(t, "keys", "create", "--scope", "admin", "--name", "ops", "--json", "--store", dir).stdout), &key); err != nil || key.Secret == "" {
		t.Fatalf("keys create beside the server: %+v, %v", key, err)
	}
	if code, b := call(t, http.MethodGet, base+"/api/v1/jobs", key.Secret, "", nil); code != http.StatusOK {
		t.Fatalf("the key made beside the server: %d %s", code, b)
	}
	if out := mustRun(t, "keys", "list", "--store", dir).stdout; !strings.Contains(out, "ops") {
		t.Errorf("keys list: %s", out)
	}
	if code, b := call(t, http.MethodGet, base+"/api/v1/datasets", "", "", nil); code != http.StatusOK || strings.Contains(string(b), `"reg"`) {
		t.Fatalf("a private dataset listed anonymously: %d %s", code, b)
	}
	// A read key granted the private dataset beside the server, through the
	// control socket: it lists the dataset once granted, and not after.
	var reader keyCreated
	if err := json.Unmarshal([]byte(mustRun(t, "keys", "create", "--scope", "read", "--name", "reader", "--json", "--store", dir).stdout), &reader); err != nil {
		t.Fatal(err)
	}
	listed := func() bool {
		code, b := call(t, http.MethodGet, base+"/api/v1/datasets", reader.Secret, "", nil)
		return code == http.StatusOK && strings.Contains(string(b), `"reg"`)
	}
	if listed() {
		t.Error("a key without a grant lists the private dataset")
	}
	mustRun(t, "keys", "grant", itoa(int(reader.ID)), "read:reg", "--store", dir)
	if !listed() {
		t.Error("the key granted the private dataset beside the server does not list it")
	}
	mustRun(t, "keys", "ungrant", itoa(int(reader.ID)), "reg", "--store", dir)
	if listed() {
		t.Error("the key ungranted beside the server still lists the private dataset")
	}
	mustRun(t, "datasets", "set-visibility", "reg", "public", "--store", dir)
	if code, b := call(t, http.MethodGet, base+"/api/v1/datasets", "", "", nil); code != http.StatusOK || !strings.Contains(string(b), `"reg"`) {
		t.Errorf("the dataset made public is not listed: %d %s", code, b)
	}
	out := filepath.Join(t.TempDir(), "firms.geojson")
	mustRun(t, "export", "geojson", "--layer", "establishments", "-o", out, "--store", dir)
	if b, err := os.ReadFile(out); err != nil || bytes.Count(b, []byte(`"Feature"`)) != 300 {
		t.Errorf("export beside the server: %d features (%v)", bytes.Count(b, []byte(`"Feature"`)), err)
	}
	r := run(t, "import", file, "--dataset", "other", "--store", dir)
	if r.err == nil || !strings.Contains(r.err.Error(), "read-only") || !strings.Contains(r.err.Error(), "another kume process") {
		t.Errorf("import beside the server: %v", r.err)
	}

	// An upload with the options of kume import, in windows-1254.
	code, b := call(t, http.MethodPost, base+"/api/v1/datasets", key.Secret, "application/json", []byte(`{"name":"upl"}`))
	if code != http.StatusCreated {
		t.Fatalf("create dataset: %d %s", code, b)
	}
	var ds kume.Dataset
	json.Unmarshal(b, &ds)
	reg := turkishRegister(9, 120)
	// A dry run first: a job that writes nothing.
	code, b = call(t, http.MethodPost, base+"/api/v1/datasets/"+itoa(int(ds.ID))+"/imports?encoding=windows-1254&on-error=skip&dry-run=true", key.Secret, "text/csv", reg.data)
	if code != http.StatusAccepted {
		t.Fatalf("dry-run upload: %d %s", code, b)
	}
	var dry kume.Job
	json.Unmarshal(b, &dry)
	for deadline := time.Now().Add(30 * time.Second); !dry.Status.Finished(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the dry-run job did not finish: %+v", dry)
		}
		_, b = call(t, http.MethodGet, base+"/api/v1/imports/"+dry.ID, key.Secret, "", nil)
		json.Unmarshal(b, &dry)
	}
	if dry.Status != kume.JobSucceeded || !strings.Contains(string(dry.Result), `"dry_run":true`) {
		t.Fatalf("dry-run job %+v %s", dry, dry.Result)
	}
	if _, b := call(t, http.MethodGet, base+"/api/v1/datasets/"+itoa(int(ds.ID)), key.Secret, "", nil); !strings.Contains(string(b), `"count":0`) {
		t.Errorf("a dry-run upload wrote: %s", b)
	}
	code, b = call(t, http.MethodPost, base+"/api/v1/datasets/"+itoa(int(ds.ID))+"/imports?encoding=windows-1254&on-error=skip", key.Secret, "text/csv", reg.data)
	if code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", code, b)
	}
	var job kume.Job
	json.Unmarshal(b, &job)
	for deadline := time.Now().Add(30 * time.Second); !job.Status.Finished(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the import job did not finish: %+v", job)
		}
		_, b = call(t, http.MethodGet, base+"/api/v1/imports/"+job.ID, key.Secret, "", nil)
		json.Unmarshal(b, &job)
	}
	var res struct {
		Accepted, Rejected int
		RejectsURL         string `json:"rejects_url"`
		Summary            struct {
			National []struct{ Variant string } `json:"national_codes"`
		}
	}
	json.Unmarshal(job.Result, &res)
	// Without regions in this store, the rows placed by district are
	// rejected too: 4 planted and every seventh.
	if job.Status != kume.JobSucceeded || res.Accepted+res.Rejected != 120 || res.Rejected < 4 || res.RejectsURL == "" ||
		len(res.Summary.National) != 1 || res.Summary.National[0].Variant != "tr-6-digit" {
		t.Fatalf("upload job %+v, result %s", job, job.Result)
	}
	if code, b := call(t, http.MethodGet, base+res.RejectsURL, key.Secret, "", nil); code != http.StatusOK || bytes.Count(b, []byte("\n")) != res.Rejected+1 {
		t.Errorf("rejects: %d, %d lines for %d rejects", code, bytes.Count(b, []byte("\n")), res.Rejected)
	}
	if out := mustRun(t, "jobs", "list", "--store", dir).stdout; !strings.Contains(out, job.ID) {
		t.Errorf("jobs list beside the server lacks the upload job:\n%s", out)
	}
	mustRun(t, "datasets", "delete", "reg", "--yes", "--store", dir)
	if code, _ := call(t, http.MethodGet, base+"/api/v1/datasets/1", key.Secret, "", nil); code != http.StatusNotFound {
		t.Errorf("the dataset deleted beside the server: %d", code)
	}

	// The job outlives a restart.
	stop()
	stopped = true
	base, stop = startServer(t, dir)
	stopped = false
	if code, b := call(t, http.MethodGet, base+"/api/v1/jobs/"+job.ID, key.Secret, "", nil); code != http.StatusOK || !strings.Contains(string(b), `"succeeded"`) {
		t.Errorf("the job after a restart: %d %s", code, b)
	}
	// Analysis runs are jobs too: the one a request starts is named in the
	// answer and ends as a job of kind analysis.
	code, b = call(t, http.MethodPost, base+"/api/v1/analysis", key.Secret, "", nil)
	var started struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal(b, &started); (code != http.StatusAccepted && code != http.StatusConflict) || (code == http.StatusAccepted && !kume.ValidJobID(started.JobID)) || err != nil {
		t.Fatalf("POST /api/v1/analysis: %d %s", code, b)
	}
	var runs struct{ Jobs []kume.Job }
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, b = call(t, http.MethodGet, base+"/api/v1/jobs?kind=analysis", key.Secret, "", nil)
		runs.Jobs = nil
		json.Unmarshal(b, &runs)
		done := len(runs.Jobs) > 0
		for _, j := range runs.Jobs {
			done = done && j.Status.Finished() && (started.JobID == "" || j.ID == started.JobID || j.Status == kume.JobSucceeded)
		}
		if done && (started.JobID == "" || strings.Contains(string(b), started.JobID)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("analysis jobs: %s", b)
		}
	}
	for _, j := range runs.Jobs {
		if j.Status == kume.JobFailed && j.Error != nil && j.Error.Code == kume.EUNAVAILABLE && j.ID != started.JobID {
			continue // a run the restart stopped, which says so
		}
		if j.Status != kume.JobSucceeded || !strings.Contains(string(j.Result), `"version"`) {
			t.Errorf("analysis job %+v %s %+v", j, j.Result, j.Error)
		}
	}
	// Without its control socket the server cannot take a change.
	if err := os.Remove(controlPath(dir)); err != nil {
		t.Fatal(err)
	}
	r = run(t, "keys", "create", "--scope", "read", "--name", "late", "--store", dir)
	if r.err == nil || !strings.Contains(r.err.Error(), "no control socket") {
		t.Errorf("keys create without the control socket: %v", r.err)
	}
}
