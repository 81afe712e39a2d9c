package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestDatasetsManagedOpenly: a dataset created without a visibility is
// private, as kume import makes it; one dataset is read and changed by id;
// a private one is not found without a key.
func TestDatasetsManagedOpenly(t *testing.T) { onStores(t, testDatasetsManagedOpenly) }

func testDatasetsManagedOpenly(t *testing.T, kind teststores.Kind) {
	s, st, keys := newTestServer(t, kind, nil)
	rec := do(t, s, http.MethodPost, "/api/v1/datasets", keys[kume.ScopeWrite], strings.NewReader(`{"name":"register"}`))
	if rec.Code != http.StatusCreated || decode(t, rec)["visibility"] != "private" {
		t.Fatalf("create without visibility: %d %s", rec.Code, rec.Body.String())
	}
	id := itoa(int64(decode(t, rec)["id"].(float64)))
	pub, priv := "/api/v1/datasets/"+itoa(st.public.ID), "/api/v1/datasets/"+itoa(st.private.ID)
	for _, tc := range []struct {
		method, path, key, body string
		want                    int
	}{
		{http.MethodGet, pub, "", "", http.StatusOK},
		{http.MethodGet, priv, "", "", http.StatusNotFound}, // anonymous
		{http.MethodGet, priv, keys[kume.ScopeRead], "", http.StatusOK},
		{http.MethodGet, "/api/v1/datasets/99", keys[kume.ScopeRead], "", http.StatusNotFound},
		{http.MethodGet, "/api/v1/datasets/x", keys[kume.ScopeRead], "", http.StatusBadRequest},
		{http.MethodPatch, "/api/v1/datasets/" + id, keys[kume.ScopeRead], `{"visibility":"public"}`, http.StatusForbidden},
		{http.MethodPatch, "/api/v1/datasets/" + id, "", `{"visibility":"public"}`, http.StatusUnauthorized},
		{http.MethodPatch, "/api/v1/datasets/" + id, keys[kume.ScopeWrite], `{"visibility":"secret"}`, http.StatusBadRequest},
		{http.MethodPatch, "/api/v1/datasets/" + id, keys[kume.ScopeWrite], `{"name":"renamed"}`, http.StatusBadRequest},
		{http.MethodPatch, "/api/v1/datasets/" + id, keys[kume.ScopeWrite], `{"licence":"a\u0001b"}`, http.StatusBadRequest},
		{http.MethodPatch, "/api/v1/datasets/99", keys[kume.ScopeWrite], `{"visibility":"public"}`, http.StatusNotFound},
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		rec := do(t, s, tc.method, tc.path, tc.key, body)
		if rec.Code != tc.want {
			t.Errorf("%s %s %s: %d, want %d: %s", tc.method, tc.path, tc.body, rec.Code, tc.want, rec.Body.String())
		}
	}
	rec = do(t, s, http.MethodPatch, "/api/v1/datasets/"+id, keys[kume.ScopeWrite], strings.NewReader(`{"visibility":"public","licence":"CC0"}`))
	if got := decode(t, rec); rec.Code != http.StatusOK || got["visibility"] != "public" || got["licence"] != "CC0" || got["name"] != "register" {
		t.Fatalf("patch: %d %v", rec.Code, got)
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	if d, err := st.Dataset(t.Context(), n); err != nil || d.Visibility != kume.Public {
		t.Errorf("stored %+v (%v)", d, err)
	}
	if rec := do(t, s, http.MethodGet, "/api/v1/datasets/"+id, "", nil); rec.Code != http.StatusOK {
		t.Errorf("the dataset made public: %d", rec.Code)
	}
}
