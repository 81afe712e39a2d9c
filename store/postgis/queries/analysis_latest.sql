SELECT r.version, r.started_at, r.finished_at, r.params
FROM analysis_current c
JOIN analysis_runs r ON r.version = c.version
