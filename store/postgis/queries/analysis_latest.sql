-- The current run of the public analysis.
SELECT r.version, r.started_at, r.finished_at, r.params, r.scope, r.datasets, r.omitted
FROM analysis_current c
JOIN analysis_runs r ON r.version = c.version
WHERE c.scope = 'public'
