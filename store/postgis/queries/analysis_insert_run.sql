INSERT INTO analysis_runs (version, started_at, finished_at, params) VALUES ($1, $2, $3, $4)
