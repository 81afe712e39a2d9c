-- Private analyses and per-dataset access (docs/SECURITY.md).
--
-- An analysis has a scope, the datasets it reads: 'public' (the datasets
-- public when it runs), 'all' (every dataset) or 'datasets:<id>,<id>…'
-- (exactly those). Each run records the datasets it read and those it left
-- out, with why (JSON arrays of {id, name, visibility, reason}); who may read
-- its results is decided by the datasets it read. analysis_current holds the
-- current version of each scope instead of one version. Runs saved before
-- keep the scope 'public' and no record of their datasets.
--
-- API keys can be granted read or write on single datasets
-- (api_key_grants); a grant goes with its key or its dataset.

-- +goose Up
ALTER TABLE analysis_runs
    ADD COLUMN scope    text NOT NULL DEFAULT 'public',
    ADD COLUMN datasets jsonb,
    ADD COLUMN omitted  jsonb;

ALTER TABLE analysis_current DROP CONSTRAINT analysis_current_pkey;
ALTER TABLE analysis_current DROP CONSTRAINT analysis_current_singleton_check;
ALTER TABLE analysis_current ADD COLUMN scope text NOT NULL DEFAULT 'public';
ALTER TABLE analysis_current ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE analysis_current DROP COLUMN singleton;
ALTER TABLE analysis_current ADD PRIMARY KEY (scope);

CREATE TABLE api_key_grants (
    key_id     bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    dataset_id bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    access     text   NOT NULL CHECK (access IN ('read', 'write')),
    PRIMARY KEY (key_id, dataset_id)
);
CREATE INDEX api_key_grants_dataset ON api_key_grants (dataset_id);

-- +goose Down
DROP TABLE api_key_grants;

-- Only the public analysis can go back: the runs of other scopes are
-- deleted and their cell blocks dropped.
-- +goose StatementBegin
DO $$
DECLARE
    v bigint;
BEGIN
    FOR v IN SELECT version FROM analysis_runs WHERE scope <> 'public' ORDER BY 1 LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I', 'cell_blocks_' || v);
    END LOOP;
END
$$;
-- +goose StatementEnd
DELETE FROM analysis_current WHERE scope <> 'public';
DELETE FROM analysis_runs WHERE scope <> 'public';

ALTER TABLE analysis_current DROP CONSTRAINT analysis_current_pkey;
ALTER TABLE analysis_current ADD COLUMN singleton boolean NOT NULL DEFAULT true;
ALTER TABLE analysis_current ADD CONSTRAINT analysis_current_singleton_check CHECK (singleton);
ALTER TABLE analysis_current DROP COLUMN scope;
ALTER TABLE analysis_current ADD PRIMARY KEY (singleton);

ALTER TABLE analysis_runs
    DROP COLUMN scope,
    DROP COLUMN datasets,
    DROP COLUMN omitted;
