-- The runs to prune: every run but the newest $1 and the current one. Their
-- rows are locked, so that two prunes do not drop the same partitions.
SELECT version FROM analysis_runs
WHERE version NOT IN (SELECT version FROM analysis_runs ORDER BY version DESC LIMIT $1)
  AND version <> (SELECT version FROM analysis_current)
ORDER BY version
FOR UPDATE
