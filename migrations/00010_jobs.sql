-- Jobs: the imports of uploads and the analysis runs a server does in the
-- background, kept so that they can be followed, listed and looked at after
-- a restart. The server deletes finished jobs after their retention (see
-- docs/API.md). progress and result are JSON of the kind's own shape;
-- rejects is the CSV of an import's rejected rows, gzip-compressed.

-- +goose Up
CREATE TABLE jobs (
    id            text        PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    kind          text        NOT NULL CHECK (kind IN ('import', 'analysis')),
    status        text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    owner         bigint      NOT NULL DEFAULT 0,
    dataset_id    bigint      NOT NULL DEFAULT 0,
    options       jsonb,
    progress      jsonb,
    result        jsonb,
    error_code    text,
    error_message text,
    rejects       bytea,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    finished_at   timestamptz
);
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- +goose Down
DROP TABLE jobs;
