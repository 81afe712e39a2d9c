package memory_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
)

// TestJobsSurviveReopen: jobs are files of their own in the data
// directory; they survive a restart, are read by a read-only open and leave
// nothing behind once deleted.
func TestJobsSurviveReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	now := time.Now()
	fin := now.Add(time.Second)
	j := &kume.Job{ID: strings.Repeat("ab", 16), Kind: kume.JobImport, Status: kume.JobSucceeded, Owner: 3, DatasetID: 1,
		Options: map[string][]string{"crs": {"EPSG:2154"}}, Result: json.RawMessage(`{"accepted":5}`),
		Rejects: []byte("gzip bytes"), CreatedAt: now, UpdatedAt: fin, FinishedAt: &fin}
	if err := s.PutJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)

	s = mustOpen(t, dir)
	got, err := s.Job(ctx, j.ID)
	if err != nil || got.Owner != 3 || string(got.Rejects) != "gzip bytes" || got.Options["crs"][0] != "EPSG:2154" ||
		!got.CreatedAt.Equal(now.Truncate(time.Microsecond)) {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	r, err := memory.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if list, err := r.Jobs(ctx, kume.JobFilter{}); err != nil || len(list) != 1 {
		t.Errorf("read-only open lists %v, %v", list, err)
	}
	if _, err := r.DeleteJobs(ctx, fin.Add(time.Hour)); kume.ErrorCode(err) != kume.EUNAVAILABLE {
		t.Errorf("DeleteJobs on a read-only store: %v", err)
	}
	r.Close()
	if n, err := s.DeleteJobs(ctx, fin.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("DeleteJobs = %d, %v", n, err)
	}
	if slices.ContainsFunc(files(t, dir), func(n string) bool { return strings.HasSuffix(n, ".job") }) {
		t.Errorf("a deleted job left its file: %v", files(t, dir))
	}
	mustClose(t, s)
}
