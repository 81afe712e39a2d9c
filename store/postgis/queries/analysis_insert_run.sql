INSERT INTO analysis_runs (version, started_at, finished_at, params, scope, datasets, omitted)
VALUES ($1, $2, $3, $4, $5, $6, $7)
