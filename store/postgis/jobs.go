package postgis

import (
	"context"
	_ "embed"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

//go:embed queries/job_put.sql
var jobPutSQL string

//go:embed queries/job_get.sql
var jobGetSQL string

//go:embed queries/job_list.sql
var jobListSQL string

//go:embed queries/job_delete.sql
var jobDeleteSQL string

// PutJob inserts or replaces the job with j.ID.
func (s *Store) PutJob(ctx context.Context, j *kume.Job) error {
	if err := kume.CheckJob(j); err != nil {
		return err
	}
	var options []byte
	if len(j.Options) > 0 {
		var err error
		if options, err = json.Marshal(j.Options); err != nil {
			return err
		}
	}
	var code, msg *string
	if j.Error != nil {
		code, msg = &j.Error.Code, &j.Error.Message
	}
	_, err := s.pool.Exec(ctx, jobPutSQL, j.ID, string(j.Kind), string(j.Status), j.Owner, j.DatasetID,
		nullJSON(options), nullJSON(j.Progress), nullJSON(j.Result), code, msg, j.Rejects,
		j.CreatedAt, j.UpdatedAt, j.FinishedAt)
	return wrap(ctx, err, "put job")
}

// nullJSON passes empty JSON as SQL NULL.
func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// Job returns one job with its rejects (ENOTFOUND if none).
func (s *Store) Job(ctx context.Context, id string) (*kume.Job, error) {
	rows, _ := s.pool.Query(ctx, jobGetSQL, id)
	j, err := pgx.CollectExactlyOneRow(rows, scanJob)
	if err != nil {
		return nil, wrap(ctx, err, "job")
	}
	return &j, nil
}

// Jobs returns the jobs matching f, newest first, without their rejects.
func (s *Store) Jobs(ctx context.Context, f kume.JobFilter) ([]kume.Job, error) {
	var owner, limit *int64
	if f.OwnerSet {
		owner = &f.Owner
	}
	if f.Limit > 0 {
		l := int64(f.Limit)
		limit = &l
	}
	rows, _ := s.pool.Query(ctx, jobListSQL, string(f.Kind), owner, limit)
	js, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		return nil, wrap(ctx, err, "jobs")
	}
	return js, nil
}

// DeleteJobs removes the finished jobs that finished before t.
func (s *Store) DeleteJobs(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, jobDeleteSQL, before)
	if err != nil {
		return 0, wrap(ctx, err, "delete jobs")
	}
	return int(tag.RowsAffected()), nil
}

func scanJob(row pgx.CollectableRow) (kume.Job, error) {
	var j kume.Job
	var kind, status string
	var options, progress, result []byte
	var code, msg *string
	var finished *time.Time
	err := row.Scan(&j.ID, &kind, &status, &j.Owner, &j.DatasetID, &options, &progress, &result,
		&code, &msg, &j.Rejects, &j.CreatedAt, &j.UpdatedAt, &finished)
	if err != nil {
		return j, err
	}
	j.Kind, j.Status = kume.JobKind(kind), kume.JobStatus(status)
	if len(options) > 0 {
		if err := json.Unmarshal(options, &j.Options); err != nil {
			return j, err
		}
	}
	if len(progress) > 0 {
		j.Progress = progress
	}
	if len(result) > 0 {
		j.Result = result
	}
	if code != nil {
		j.Error = &kume.JobError{Code: *code, Message: deref(msg)}
	}
	if len(j.Rejects) == 0 {
		j.Rejects = nil
	}
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	if finished != nil {
		t := finished.UTC()
		j.FinishedAt = &t
	}
	return j, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
