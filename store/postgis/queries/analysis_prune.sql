-- Deletes every run but the newest $1 and the current one; their results go
-- with them (ON DELETE CASCADE).
DELETE FROM analysis_runs
WHERE version NOT IN (SELECT version FROM analysis_runs ORDER BY version DESC LIMIT $1)
  AND version <> (SELECT version FROM analysis_current)
