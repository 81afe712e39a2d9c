-- The runs to prune: every run but the current one of each scope and the
-- newest $1 of each scope that has a current one; the runs of a scope
-- without a current one (deleted) all go. Their rows are locked, so that two
-- prunes do not drop the same partitions.
SELECT version FROM analysis_runs
WHERE version IN (
    SELECT r.version
    FROM (
        SELECT version, scope, row_number() OVER (PARTITION BY scope ORDER BY version DESC) AS n
        FROM analysis_runs
    ) r
    WHERE r.version NOT IN (SELECT version FROM analysis_current)
      AND (r.n > $1 OR NOT EXISTS (SELECT FROM analysis_current c WHERE c.scope = r.scope))
)
ORDER BY version
FOR UPDATE
