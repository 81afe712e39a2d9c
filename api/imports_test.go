package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// lineImporter accepts every CSV line after the header and rejects lines
// containing "bad"; its options are two of kume import's.
type lineImporter struct{}

func (lineImporter) Options() []ImportOption {
	return []ImportOption{{Name: "on-error", Arg: "abort|skip", Help: "what to do"}, {Name: "map", Arg: "FIELD=COLUMN", Help: "mapping", Repeat: true}}
}

func (lineImporter) Check(opts map[string][]string) error {
	if v := opts["on-error"]; len(v) > 0 && v[0] != "abort" && v[0] != "skip" {
		return kume.Errorf(kume.EINVALID, "import option on-error: %q is neither abort nor skip", v[0])
	}
	return nil
}

func (lineImporter) Import(_ context.Context, req ImportRequest, progress func(ImportProgress)) (ImportResult, error) {
	sc := bufio.NewScanner(req.Body)
	var res ImportResult
	rw := csv.NewWriter(req.Rejects)
	row := 0
	for sc.Scan() {
		row++
		if row == 1 {
			rw.Write([]string{"line", "reject_line", "reject_reason"})
			continue
		}
		if strings.Contains(sc.Text(), "bad") {
			res.Rejected++
			res.Rejects = append(res.Rejects, ImportReject{Row: row, Reason: "bad row"})
			rw.Write([]string{sc.Text(), fmt.Sprint(row), "bad row"})
		} else {
			res.Accepted++
		}
		progress(ImportProgress{Rows: row - 1, Accepted: res.Accepted, Rejected: res.Rejected})
	}
	rw.Flush()
	if res.Accepted == 0 {
		return res, kume.Errorf(kume.EINVALID, "no valid rows")
	}
	if res.Rejected > 0 && (len(req.Options["on-error"]) == 0 || req.Options["on-error"][0] == "abort") {
		return res, kume.Errorf(kume.EINVALID, "%d rows rejected; nothing imported", res.Rejected)
	}
	res.Stats.Inserted = res.Accepted
	return res, nil
}

func upload(t *testing.T, s *Server, key, ctype, body string) *httptest.ResponseRecorder {
	t.Helper()
	return uploadTo(t, s, "/api/v1/datasets/1/imports", key, ctype, body)
}

func uploadTo(t *testing.T, s *Server, target, key, ctype, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// waitJob polls a job until it has finished.
func waitJob(t *testing.T, s *Server, id, key string) map[string]any {
	t.Helper()
	var job map[string]any
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		job = decode(t, do(t, s, http.MethodGet, "/api/v1/imports/"+id, key, nil))
		if job["status"] == string(kume.JobSucceeded) || job["status"] == string(kume.JobFailed) {
			return job
		}
	}
	t.Fatalf("job %s did not finish: %v", id, job)
	return nil
}

func TestImportJobs(t *testing.T) { onStores(t, testImportJobs) }

func testImportJobs(t *testing.T, kind teststores.Kind) {
	s, st, keys := newTestServer(t, kind, func(_ *Config, d *Deps) { d.Importer = lineImporter{} })
	s.api.cfg.MaxUploadBytes = 1 << 10
	for _, tc := range []struct {
		name, target, ctype, body string
		want                      int
	}{
		{"oversized", "", "text/csv", "name\n" + strings.Repeat("x,", 2000), http.StatusRequestEntityTooLarge},
		{"empty", "", "text/csv", "", http.StatusBadRequest},
		{"no content type", "", "", "name\nA\n", http.StatusBadRequest},
		{"wrong content type", "", "image/png", "name\nA\n", http.StatusBadRequest},
		{"malformed content type", "", "text/csv; ;;=", "name\nA\n", http.StatusBadRequest},
		{"octet-stream without format", "", "application/octet-stream", "name\nA\n", http.StatusBadRequest},
		{"unknown option", "?rejects=x.csv", "text/csv", "name\nA\n", http.StatusBadRequest},
		{"repeated option", "?on-error=skip&on-error=abort", "text/csv", "name\nA\n", http.StatusBadRequest},
		{"bad option value", "?on-error=ignore", "text/csv", "name\nA\n", http.StatusBadRequest},
		{"missing dataset", "/api/v1/datasets/99/imports", "text/csv", "name\nA\n", http.StatusNotFound},
	} {
		target := "/api/v1/datasets/1/imports" + tc.target
		if strings.HasPrefix(tc.target, "/") {
			target = tc.target
		}
		if rec := uploadTo(t, s, target, keys[kume.ScopeWrite], tc.ctype, tc.body); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, rec.Code, tc.want, rec.Body.String())
		}
	}
	if list, _ := st.Jobs(context.Background(), kume.JobFilter{}); len(list) != 0 {
		t.Errorf("%d jobs stored by refused uploads", len(list))
	}

	// With on-error skip (and map given twice, which may repeat) the valid
	// rows are imported and the bad one is reported, with a link to all of them.
	rec := uploadTo(t, s, "/api/v1/datasets/1/imports?on-error=skip&map=name=Ad&map=nace=Kod", keys[kume.ScopeWrite], "text/csv", "name\nA\nbad B\nC\n")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	id := decode(t, rec)["id"].(string)
	job := waitJob(t, s, id, keys[kume.ScopeWrite])
	res, _ := job["result"].(map[string]any)
	opts, _ := job["options"].(map[string]any)
	if job["status"] != string(kume.JobSucceeded) || res["accepted"] != 2.0 || res["rejected"] != 1.0 || len(res["rejects"].([]any)) != 1 ||
		res["rejects_url"] != "/api/v1/imports/"+id+"/rejects" || len(opts["map"].([]any)) != 2 || job["kind"] != "import" {
		t.Fatalf("job %v", job)
	}
	if stored, err := st.Job(context.Background(), id); err != nil || stored.Owner != 2 || stored.DatasetID != 1 || stored.FinishedAt == nil {
		t.Errorf("stored job %+v, %v", stored, err)
	}
	rec = do(t, s, http.MethodGet, "/api/v1/imports/"+id+"/rejects", keys[kume.ScopeWrite], nil)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) != 2 || rows[1][0] != "bad B" || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("rejects: %d %q %v", rec.Code, rows, err)
	}

	// Abort (the default) fails the job with the reason.
	id2 := decode(t, upload(t, s, keys[kume.ScopeWrite], "text/csv", "name\nA\nbad B\n"))["id"].(string)
	job = waitJob(t, s, id2, keys[kume.ScopeWrite])
	if e, _ := job["error"].(map[string]any); job["status"] != string(kume.JobFailed) || e["code"] != kume.EINVALID {
		t.Errorf("aborted job %v", job)
	}

	// Another write key, and a made-up id, see nothing; an admin key sees it.
	other := addKey(t, st, kume.ScopeWrite)
	for _, tc := range []struct {
		key, path string
		want      int
	}{
		{other, "/api/v1/imports/" + id, http.StatusNotFound},
		{other, "/api/v1/imports/" + id + "/rejects", http.StatusNotFound},
		{keys[kume.ScopeWrite], "/api/v1/imports/" + strings.Repeat("0", 32), http.StatusNotFound},
		{keys[kume.ScopeWrite], "/api/v1/imports/../../etc", http.StatusNotFound},
		{keys[kume.ScopeRead], "/api/v1/imports/" + id, http.StatusForbidden},
		{keys[kume.ScopeAdmin], "/api/v1/imports/" + id, http.StatusOK},
		{keys[kume.ScopeAdmin], "/api/v1/jobs/" + id, http.StatusOK},
	} {
		if rec := do(t, s, http.MethodGet, tc.path, tc.key, nil); rec.Code != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.path, rec.Code, tc.want)
		}
	}
}

// addKey stores one more key of the given scope and returns its secret.
func addKey(t *testing.T, st kume.Store, scope kume.Scope) string {
	t.Helper()
	secret, hash, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(context.Background(), &kume.APIKey{Name: "another", Scope: scope, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestJobList: a write key lists its own jobs, an admin key every job; a
// job its server stopped writing shows as failed; finished jobs past the
// retention are deleted when the next job starts.
func TestJobList(t *testing.T) { onStores(t, testJobList) }

func testJobList(t *testing.T, kind teststores.Kind) {
	s, st, keys := newTestServer(t, kind, func(_ *Config, d *Deps) { d.Importer = lineImporter{} })
	ctx := context.Background()
	now := time.Now().UTC()
	old := now.Add(-8 * 24 * time.Hour)
	for _, j := range []kume.Job{
		{ID: strings.Repeat("a", 32), Kind: kume.JobAnalysis, Status: kume.JobSucceeded, CreatedAt: now.Add(-time.Hour), UpdatedAt: now, FinishedAt: &now},
		{ID: strings.Repeat("b", 32), Kind: kume.JobImport, Status: kume.JobRunning, Owner: 2, DatasetID: 1, CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)},
		{ID: strings.Repeat("c", 32), Kind: kume.JobImport, Status: kume.JobSucceeded, Owner: 2, CreatedAt: old, UpdatedAt: old, FinishedAt: &old},
	} {
		if err := st.PutJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
	}
	list := func(key, q string) []any {
		rec := do(t, s, http.MethodGet, "/api/v1/jobs"+q, key, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /jobs%s: %d %s", q, rec.Code, rec.Body.String())
		}
		return decode(t, rec)["jobs"].([]any)
	}
	if got := list(keys[kume.ScopeWrite], ""); len(got) != 2 {
		t.Errorf("write key lists %d jobs, want its 2", len(got))
	} else if j := got[0].(map[string]any); j["status"] != string(kume.JobFailed) || !strings.Contains(fmt.Sprint(j["error"]), "stopped without finishing") {
		t.Errorf("a job not written for an hour: %v", j)
	}
	if got := list(keys[kume.ScopeAdmin], "?kind=analysis"); len(got) != 1 {
		t.Errorf("admin lists %d analysis jobs, want 1", len(got))
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/jobs?kind=export", keys[kume.ScopeAdmin], nil); rec.Code != http.StatusBadRequest {
		t.Errorf("kind=export: %d", rec.Code)
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/jobs", keys[kume.ScopeRead], nil); rec.Code != http.StatusForbidden {
		t.Errorf("read key: %d", rec.Code)
	}
	waitJob(t, s, decode(t, upload(t, s, keys[kume.ScopeWrite], "text/csv", "name\nA\n"))["id"].(string), keys[kume.ScopeWrite])
	if _, err := st.Job(ctx, strings.Repeat("c", 32)); err == nil {
		t.Error("a job finished 8 days ago outlived the 7-day retention")
	}
	if got := list(keys[kume.ScopeAdmin], ""); len(got) != 3 {
		t.Errorf("admin lists %d jobs, want 3", len(got))
	}

}
