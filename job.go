package kume

import (
	"context"
	"encoding/json"
	"regexp"
	"time"
)

// JobKind says what a job does.
type JobKind string

// The kinds of job.
const (
	JobImport   JobKind = "import"
	JobAnalysis JobKind = "analysis"
)

// Valid reports whether k is a known kind.
func (k JobKind) Valid() bool { return k == JobImport || k == JobAnalysis }

// JobStatus is where a job stands.
type JobStatus string

// Job statuses: a job is queued, then running, then succeeded or failed.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
)

// Finished reports whether the status is final.
func (s JobStatus) Finished() bool { return s == JobSucceeded || s == JobFailed }

// Valid reports whether s is a known status.
func (s JobStatus) Valid() bool { return s == JobQueued || s == JobRunning || s.Finished() }

// JobError is why a job failed: an error code and a message safe to show.
type JobError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Job is a piece of background work a server does (an import of an upload,
// an analysis run), kept by the store so that it can be followed, listed
// and looked at after a restart, until it expires (see JobStore).
type Job struct {
	// ID is 32 lowercase hexadecimal digits.
	ID     string    `json:"id"`
	Kind   JobKind   `json:"kind"`
	Status JobStatus `json:"status"`
	// Owner is the id of the API key that started the job, 0 when the server
	// started it by itself.
	Owner     int64 `json:"owner"`
	DatasetID int64 `json:"dataset_id,omitempty"`
	// Options are the options the job was started with (for an import, the
	// import options by name).
	Options map[string][]string `json:"options,omitempty"`
	// Progress and Result are what the job reports while it runs and when
	// it ends, as JSON of the kind's own shape.
	Progress json.RawMessage `json:"progress,omitempty"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    *JobError       `json:"error,omitempty"`
	// Rejects is the CSV of every row an import rejected, gzip-compressed
	// (nil when none); Jobs leaves it out, Job returns it.
	Rejects    []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

var jobIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidJobID reports whether id has the form of a job id.
func ValidJobID(id string) bool { return jobIDRE.MatchString(id) }

// JobFilter selects jobs. Zero fields do not filter.
type JobFilter struct {
	Kind JobKind
	// Owner keeps the jobs of one API key when OwnerSet.
	Owner    int64
	OwnerSet bool
	// Limit caps the number of jobs (newest first); 0 means no cap.
	Limit int
}

// JobStore keeps jobs. Times come back in UTC with microsecond precision.
type JobStore interface {
	// PutJob inserts or replaces the job with j.ID (EINVALID for a malformed
	// id, kind or status).
	PutJob(ctx context.Context, j *Job) error
	// Job returns one job with its Rejects (ENOTFOUND if none).
	Job(ctx context.Context, id string) (*Job, error)
	// Jobs returns the jobs matching f, newest (by CreatedAt, then id) first,
	// without their Rejects.
	Jobs(ctx context.Context, f JobFilter) ([]Job, error)
	// DeleteJobs removes the finished jobs that finished before t and
	// returns how many it removed.
	DeleteJobs(ctx context.Context, before time.Time) (int, error)
}

// CheckJob validates the fields of a job a store is given.
func CheckJob(j *Job) error {
	switch {
	case !ValidJobID(j.ID):
		return Errorf(EINVALID, "job id %q: want 32 lowercase hexadecimal digits", j.ID)
	case !j.Kind.Valid():
		return Errorf(EINVALID, "unknown job kind %q", j.Kind)
	case !j.Status.Valid():
		return Errorf(EINVALID, "unknown job status %q", j.Status)
	case j.Progress != nil && !json.Valid(j.Progress), j.Result != nil && !json.Valid(j.Result):
		return Errorf(EINVALID, "job %s: progress or result is not JSON", j.ID)
	}
	return nil
}
