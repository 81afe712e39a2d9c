package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// jobID returns the job id of a number: 32 hexadecimal digits.
func jobID(n int) string { return fmt.Sprintf("%032x", n) }

// assertJob compares two jobs: times to the microsecond, JSON by meaning.
func assertJob(t testing.TB, what string, got, want *kume.Job, withRejects bool) {
	t.Helper()
	g, w := *got, *want
	if !sameJSON(g.Progress, w.Progress) || !sameJSON(g.Result, w.Result) {
		t.Errorf("%s: progress %s result %s, want %s and %s", what, g.Progress, g.Result, w.Progress, w.Result)
	}
	if withRejects && !bytes.Equal(g.Rejects, w.Rejects) {
		t.Errorf("%s: rejects %q, want %q", what, g.Rejects, w.Rejects)
	}
	if !withRejects && g.Rejects != nil {
		t.Errorf("%s: a list of jobs carries rejects", what)
	}
	for _, tm := range []*time.Time{&g.CreatedAt, &g.UpdatedAt, g.FinishedAt} {
		if tm != nil && tm.Location() != time.UTC {
			t.Errorf("%s: time %v not in UTC", what, *tm)
		}
	}
	same := func(a, b time.Time) bool { return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond)) }
	if !same(g.CreatedAt, w.CreatedAt) || !same(g.UpdatedAt, w.UpdatedAt) || (g.FinishedAt == nil) != (w.FinishedAt == nil) ||
		(g.FinishedAt != nil && !same(*g.FinishedAt, *w.FinishedAt)) {
		t.Errorf("%s: times %v %v %v, want %v %v %v", what, g.CreatedAt, g.UpdatedAt, g.FinishedAt, w.CreatedAt, w.UpdatedAt, w.FinishedAt)
	}
	g.Progress, g.Result, g.Rejects, g.CreatedAt, g.UpdatedAt, g.FinishedAt = nil, nil, nil, time.Time{}, time.Time{}, nil
	w.Progress, w.Result, w.Rejects, w.CreatedAt, w.UpdatedAt, w.FinishedAt = nil, nil, nil, time.Time{}, time.Time{}, nil
	if len(g.Options) == 0 && len(w.Options) == 0 {
		g.Options, w.Options = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func testJobs(t *testing.T, open Opener) {
	t.Run("PutGetList", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		base := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.FixedZone("TRT", 3*3600))
		imp := &kume.Job{ID: jobID(1), Kind: kume.JobImport, Status: kume.JobQueued, Owner: 7, DatasetID: 3,
			Options:   map[string][]string{"map": {"nace=NACE Kodu", "lat=enlem"}, "encoding": {"windows-1254"}},
			CreatedAt: base, UpdatedAt: base}
		must(t, s.PutJob(ctx, imp), "PutJob (queued)")
		got, err := s.Job(ctx, imp.ID)
		must(t, err, "Job")
		assertJob(t, "queued job", got, imp, true)

		// Running, then finished with a result and rejects.
		imp.Status, imp.Progress, imp.UpdatedAt = kume.JobRunning, json.RawMessage(`{"rows": 1000}`), base.Add(time.Second)
		must(t, s.PutJob(ctx, imp), "PutJob (running)")
		fin := base.Add(3 * time.Second)
		imp.Status, imp.FinishedAt, imp.UpdatedAt = kume.JobFailed, &fin, fin
		imp.Result = json.RawMessage(`{"accepted": 998, "rejected": 2, "rejects": [{"row": 4, "reason": "x"}]}`)
		imp.Error = &kume.JobError{Code: kume.EINVALID, Message: "2 of 1000 rows rejected"}
		imp.Rejects = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0}
		must(t, s.PutJob(ctx, imp), "PutJob (failed)")
		got, err = s.Job(ctx, imp.ID)
		must(t, err, "Job")
		assertJob(t, "failed job", got, imp, true)

		an := &kume.Job{ID: jobID(2), Kind: kume.JobAnalysis, Status: kume.JobSucceeded, CreatedAt: base.Add(time.Minute),
			UpdatedAt: base.Add(2 * time.Minute), FinishedAt: ptrTime(base.Add(2 * time.Minute)), Result: json.RawMessage(`{"version": 4}`)}
		must(t, s.PutJob(ctx, an), "PutJob (analysis)")
		other := &kume.Job{ID: jobID(3), Kind: kume.JobImport, Status: kume.JobRunning, Owner: 8, CreatedAt: base.Add(time.Hour), UpdatedAt: base.Add(time.Hour)}
		must(t, s.PutJob(ctx, other), "PutJob (other owner)")

		all, err := s.Jobs(ctx, kume.JobFilter{})
		must(t, err, "Jobs")
		if len(all) != 3 || all[0].ID != other.ID || all[1].ID != an.ID || all[2].ID != imp.ID {
			t.Fatalf("Jobs = %v, want the three newest first", jobIDs(all))
		}
		assertJob(t, "listed job", &all[2], imp, false)
		for _, tt := range []struct {
			f    kume.JobFilter
			want []string
		}{
			{kume.JobFilter{Kind: kume.JobImport}, []string{other.ID, imp.ID}},
			{kume.JobFilter{Kind: kume.JobAnalysis}, []string{an.ID}},
			{kume.JobFilter{Owner: 7, OwnerSet: true}, []string{imp.ID}},
			{kume.JobFilter{Owner: 0, OwnerSet: true}, []string{an.ID}},
			{kume.JobFilter{Limit: 2}, []string{other.ID, an.ID}},
			{kume.JobFilter{Kind: kume.JobImport, Owner: 99, OwnerSet: true}, nil},
		} {
			got, err := s.Jobs(ctx, tt.f)
			must(t, err, "Jobs")
			if ids := jobIDs(got); !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("Jobs(%+v) = %v, want %v", tt.f, ids, tt.want)
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		now := time.Now()
		for _, j := range []kume.Job{
			{ID: "short", Kind: kume.JobImport, Status: kume.JobQueued, CreatedAt: now, UpdatedAt: now},
			{ID: jobID(1), Kind: "export", Status: kume.JobQueued, CreatedAt: now, UpdatedAt: now},
			{ID: jobID(1), Kind: kume.JobImport, Status: "paused", CreatedAt: now, UpdatedAt: now},
			{ID: jobID(1), Kind: kume.JobImport, Status: kume.JobQueued, Result: json.RawMessage(`{`), CreatedAt: now, UpdatedAt: now},
		} {
			wantCode(t, s.PutJob(ctx, &j), kume.EINVALID, fmt.Sprintf("PutJob(%+v)", j))
		}
		_, err := s.Job(ctx, jobID(42))
		wantCode(t, err, kume.ENOTFOUND, "Job(missing)")
		list, err := s.Jobs(ctx, kume.JobFilter{})
		must(t, err, "Jobs")
		if len(list) != 0 {
			t.Errorf("%d jobs after only failed puts", len(list))
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, j := range []kume.Job{
			{Status: kume.JobSucceeded, FinishedAt: ptrTime(t0.Add(-48 * time.Hour))},
			{Status: kume.JobFailed, FinishedAt: ptrTime(t0.Add(-25 * time.Hour))},
			{Status: kume.JobSucceeded, FinishedAt: ptrTime(t0.Add(-time.Hour))},
			{Status: kume.JobRunning}, // never expires while it runs
		} {
			j.ID, j.Kind, j.CreatedAt, j.UpdatedAt = jobID(i+1), kume.JobImport, t0.Add(-72*time.Hour), t0.Add(-72*time.Hour)
			must(t, s.PutJob(ctx, &j), "PutJob")
		}
		n, err := s.DeleteJobs(ctx, t0.Add(-24*time.Hour))
		must(t, err, "DeleteJobs")
		left, err := s.Jobs(ctx, kume.JobFilter{})
		must(t, err, "Jobs")
		if n != 2 || !reflect.DeepEqual(jobIDs(left), []string{jobID(4), jobID(3)}) {
			t.Errorf("DeleteJobs removed %d, left %v; want 2 removed and jobs 4 and 3 left", n, jobIDs(left))
		}
		_, err = s.Job(ctx, jobID(1))
		wantCode(t, err, kume.ENOTFOUND, "Job(expired)")
	})
}

// jobIDs returns the ids of jobs in order.
func jobIDs(js []kume.Job) []string {
	var out []string
	for _, j := range js {
		out = append(out, j.ID)
	}
	return out
}
