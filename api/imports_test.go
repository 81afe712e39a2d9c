package api

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// lineImporter accepts every CSV line after the header and rejects lines
// containing "bad".
type lineImporter struct{}

func (lineImporter) Import(_ context.Context, req ImportRequest, progress func(ImportProgress)) (ImportResult, error) {
	sc := bufio.NewScanner(req.Body)
	var res ImportResult
	row := 0
	for sc.Scan() {
		row++
		if row == 1 {
			continue
		}
		if strings.Contains(sc.Text(), "bad") {
			res.Rejected++
			res.Rejects = append(res.Rejects, ImportReject{Row: row, Reason: "bad row"})
		} else {
			res.Accepted++
		}
		progress(ImportProgress{Rows: row - 1, Accepted: res.Accepted, Rejected: res.Rejected})
	}
	if res.Accepted == 0 {
		return res, kume.Errorf(kume.EINVALID, "no valid rows")
	}
	res.Stats.Inserted = res.Accepted
	return res, nil
}

func upload(t *testing.T, s *Server, key, ctype, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/datasets/1/imports", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestImportJobs(t *testing.T) {
	s, _, keys := newTestServer(t, func(_ *Config, d *Deps) { d.Importer = lineImporter{} })
	s.api.cfg.MaxUploadBytes = 1 << 10
	for _, tc := range []struct {
		name, ctype, body string
		want              int
	}{
		{"oversized", "text/csv", "name\n" + strings.Repeat("x,", 2000), http.StatusRequestEntityTooLarge},
		{"empty", "text/csv", "", http.StatusBadRequest},
		{"no content type", "", "name\nA\n", http.StatusBadRequest},
		{"wrong content type", "image/png", "name\nA\n", http.StatusBadRequest},
		{"malformed content type", "text/csv; ;;=", "name\nA\n", http.StatusBadRequest},
	} {
		if rec := upload(t, s, keys[kume.ScopeWrite], tc.ctype, tc.body); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, rec.Code, tc.want, rec.Body.String())
		}
	}
	rec := upload(t, s, keys[kume.ScopeWrite], "text/csv", "name\nA\nbad B\nC\n")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	id := decode(t, rec)["id"].(string)
	var job map[string]any
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		job = decode(t, do(t, s, http.MethodGet, "/api/v1/imports/"+id, keys[kume.ScopeWrite], nil))
		if job["status"] == JobSucceeded || job["status"] == JobFailed {
			break
		}
	}
	res, _ := job["result"].(map[string]any)
	if job["status"] != JobSucceeded || res["accepted"] != 2.0 || res["rejected"] != 1.0 || len(res["rejects"].([]any)) != 1 {
		t.Fatalf("job %v", job)
	}
	// another key, and a made-up id, see nothing
	for _, tc := range []struct{ key, id string }{{keys[kume.ScopeAdmin], id}, {keys[kume.ScopeWrite], strings.Repeat("0", 32)}, {keys[kume.ScopeWrite], "../../etc"}} {
		if rec := do(t, s, http.MethodGet, "/api/v1/imports/"+tc.id, tc.key, nil); rec.Code != http.StatusNotFound {
			t.Errorf("job %s with another key: %d", tc.id, rec.Code)
		}
	}
}

func TestJSONBodyLimits(t *testing.T) {
	s, _, keys := newTestServer(t, nil)
	s.api.cfg.MaxBodyBytes = 256
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"name":"` + strings.Repeat("a", 300) + `"}`, http.StatusRequestEntityTooLarge},
		{`{"name":"ok","extra":1}`, http.StatusBadRequest},
		{`{"name":"ok"}{"name":"again"}`, http.StatusBadRequest},
		{`{"name":"a\u0000b"}`, http.StatusBadRequest},
		{`{"name":"' OR 1=1 --"}`, http.StatusBadRequest},
		{`{"name":"12"}`, http.StatusBadRequest},
		{`{"name":"ok","visibility":"secret"}`, http.StatusBadRequest},
		{`not json`, http.StatusBadRequest},
		{`{"name":"ok"}`, http.StatusCreated},
	} {
		rec := do(t, s, http.MethodPost, "/api/v1/datasets", keys[kume.ScopeWrite], strings.NewReader(tc.body))
		if rec.Code != tc.want {
			t.Errorf("%.40s: %d, want %d: %s", tc.body, rec.Code, tc.want, rec.Body.String())
		}
	}
}
