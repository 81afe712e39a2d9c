-- The current run of every analysis scope, the newest first.
SELECT r.version, r.started_at, r.finished_at, r.params, r.scope, r.datasets, r.omitted
FROM analysis_current c
JOIN analysis_runs r ON r.version = c.version
ORDER BY r.version DESC
