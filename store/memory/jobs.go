package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kume-geo/kume"
)

// Jobs live beside the snapshot state, not in it: a job is no data, its
// changes do not move the data version, and a job's progress is written far
// more often than anything else. Each job is one framed file, job-<id>.job,
// written atomically (temp file, fsync, rename) on every PutJob, so that the
// MANIFEST never grows with them and writing one job rewrites only it.

const (
	jobPrefix = "job-"
	jobSuffix = ".job"
)

// jobSet is the store's jobs, guarded by its own lock.
type jobSet struct {
	mu   sync.Mutex
	byID map[string]*kume.Job
}

func (js *jobSet) init() {
	if js.byID == nil {
		js.byID = map[string]*kume.Job{}
	}
}

// cloneJob returns a deep copy of j, without its rejects unless withRejects.
func cloneJob(j *kume.Job, withRejects bool) kume.Job {
	c := *j
	c.Options = maps.Clone(j.Options)
	for k, v := range c.Options {
		c.Options[k] = slices.Clone(v)
	}
	c.Progress, c.Result = slices.Clone(j.Progress), slices.Clone(j.Result)
	if j.Error != nil {
		e := *j.Error
		c.Error = &e
	}
	c.Rejects = nil
	if withRejects {
		c.Rejects = slices.Clone(j.Rejects)
	}
	if j.FinishedAt != nil {
		t := *j.FinishedAt
		c.FinishedAt = &t
	}
	return c
}

// normaliseJob puts a job's times in UTC at microsecond precision, as the
// PostGIS store keeps them.
func normaliseJob(j *kume.Job) {
	j.CreatedAt = j.CreatedAt.UTC().Truncate(time.Microsecond)
	j.UpdatedAt = j.UpdatedAt.UTC().Truncate(time.Microsecond)
	if j.FinishedAt != nil {
		t := j.FinishedAt.UTC().Truncate(time.Microsecond)
		j.FinishedAt = &t
	}
}

// PutJob inserts or replaces the job with j.ID.
func (s *Store) PutJob(ctx context.Context, j *kume.Job) error {
	if err := kume.CheckJob(j); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly != "" {
		return s.readOnlyError()
	}
	c := cloneJob(j, true)
	normaliseJob(&c)
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	if s.closed.Load() {
		return kume.Errorf(kume.EUNAVAILABLE, "the store is closed")
	}
	if s.dir != "" {
		name := jobPrefix + c.ID + jobSuffix
		if err := s.writeFile(name, kindJob, func(e *encoder) error { encodeJob(e, &c); return nil }, ""); err != nil {
			return fmt.Errorf("memory: persist job %s: %w", c.ID, err)
		}
	}
	s.jobs.init()
	s.jobs.byID[c.ID] = &c
	return nil
}

// Job returns one job with its rejects (ENOTFOUND if none).
func (s *Store) Job(ctx context.Context, id string) (*kume.Job, error) {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	j, ok := s.jobs.byID[id]
	if !ok {
		return nil, kume.Errorf(kume.ENOTFOUND, "job %s not found", id)
	}
	c := cloneJob(j, true)
	return &c, nil
}

// Jobs returns the jobs matching f, newest first, without their rejects.
func (s *Store) Jobs(ctx context.Context, f kume.JobFilter) ([]kume.Job, error) {
	s.jobs.mu.Lock()
	var out []kume.Job
	for _, j := range s.jobs.byID {
		if (f.Kind == "" || j.Kind == f.Kind) && (!f.OwnerSet || j.Owner == f.Owner) {
			out = append(out, cloneJob(j, false))
		}
	}
	s.jobs.mu.Unlock()
	slices.SortFunc(out, func(a, b kume.Job) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// DeleteJobs removes the finished jobs that finished before t.
func (s *Store) DeleteJobs(ctx context.Context, before time.Time) (int, error) {
	if s.readOnly != "" {
		return 0, s.readOnlyError()
	}
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	n := 0
	for id, j := range s.jobs.byID {
		if j.FinishedAt == nil || !j.FinishedAt.Before(before) {
			continue
		}
		if s.dir != "" {
			if err := os.Remove(filepath.Join(s.dir, jobPrefix+id+jobSuffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return n, fmt.Errorf("memory: remove job %s: %w", id, err)
			}
		}
		delete(s.jobs.byID, id)
		n++
	}
	return n, nil
}

// loadJobs reads every job file of dir. A job file that does not decode is
// an error: like every other file of the directory it is written atomically.
func loadJobs(dir string, js *jobSet) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	js.init()
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, jobPrefix) || !strings.HasSuffix(n, jobSuffix) {
			continue
		}
		path := filepath.Join(dir, n)
		d, err := readFile(path, kindJob)
		if errors.Is(err, os.ErrNotExist) {
			continue // removed meanwhile by the process that holds the directory
		} else if err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		j, err := decodeJob(d)
		if err != nil {
			return fmt.Errorf("memory: %s: %w", path, err)
		}
		if n != jobPrefix+j.ID+jobSuffix {
			return fmt.Errorf("memory: %s holds job %s: %w", path, j.ID, errCorrupt)
		}
		js.byID[j.ID] = j
	}
	return nil
}

func encodeJob(e *encoder, j *kume.Job) {
	e.str(j.ID)
	e.str(string(j.Kind))
	e.str(string(j.Status))
	e.varint(j.Owner)
	e.varint(j.DatasetID)
	e.uvarint(uint64(len(j.Options)))
	for _, k := range slices.Sorted(maps.Keys(j.Options)) {
		e.str(k)
		e.uvarint(uint64(len(j.Options[k])))
		for _, v := range j.Options[k] {
			e.str(v)
		}
	}
	e.bytes(j.Progress)
	e.bytes(j.Result)
	e.bool(j.Error != nil)
	if j.Error != nil {
		e.str(j.Error.Code)
		e.str(j.Error.Message)
	}
	e.bytes(j.Rejects)
	e.time(j.CreatedAt)
	e.time(j.UpdatedAt)
	e.optTime(j.FinishedAt)
}

func decodeJob(d *decoder) (*kume.Job, error) {
	j := &kume.Job{ID: d.str(), Kind: kume.JobKind(d.str()), Status: kume.JobStatus(d.str()), Owner: d.varint(), DatasetID: d.varint()}
	if n := d.count(2); n > 0 {
		j.Options = make(map[string][]string, n)
		for range n {
			k := d.str()
			vals := make([]string, d.count(1))
			for i := range vals {
				vals[i] = strings.Clone(d.str())
			}
			j.Options[strings.Clone(k)] = vals
		}
	}
	j.Progress, j.Result = json.RawMessage(d.bytes()), json.RawMessage(d.bytes())
	if d.bool() {
		j.Error = &kume.JobError{Code: strings.Clone(d.str()), Message: strings.Clone(d.str())}
	}
	j.Rejects = d.bytes()
	j.CreatedAt, j.UpdatedAt, j.FinishedAt = d.time(), d.time(), d.optTime()
	if err := d.done(); err != nil {
		return nil, err
	}
	j.ID, j.Kind, j.Status = strings.Clone(j.ID), kume.JobKind(strings.Clone(string(j.Kind))), kume.JobStatus(strings.Clone(string(j.Status)))
	if err := kume.CheckJob(j); err != nil {
		return nil, fmt.Errorf("%v: %w", err, errCorrupt)
	}
	return j, nil
}
