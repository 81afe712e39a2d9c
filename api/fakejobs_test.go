package api

import (
	"context"
	"slices"
	"time"

	"github.com/kume-geo/kume"
)

// The fake store's jobs, as the real stores keep them (store/storetest).

func (f *fakeStore) PutJob(_ context.Context, j *kume.Job) error {
	if err := kume.CheckJob(j); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jobs == nil {
		f.jobs = map[string]kume.Job{}
	}
	c := *j
	c.Rejects = slices.Clone(j.Rejects)
	f.jobs[j.ID] = c
	return nil
}

func (f *fakeStore) Job(_ context.Context, id string) (*kume.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	j, ok := f.jobs[id]
	if !ok {
		return nil, notFound()
	}
	return &j, nil
}

func (f *fakeStore) Jobs(_ context.Context, flt kume.JobFilter) ([]kume.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []kume.Job
	for _, j := range f.jobs {
		if (flt.Kind == "" || j.Kind == flt.Kind) && (!flt.OwnerSet || j.Owner == flt.Owner) {
			j.Rejects = nil
			out = append(out, j)
		}
	}
	slices.SortFunc(out, func(a, b kume.Job) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	if flt.Limit > 0 && len(out) > flt.Limit {
		out = out[:flt.Limit]
	}
	return out, nil
}

func (f *fakeStore) DeleteJobs(_ context.Context, before time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id, j := range f.jobs {
		if j.FinishedAt != nil && j.FinishedAt.Before(before) {
			delete(f.jobs, id)
			n++
		}
	}
	return n, nil
}
