-- Tables named like a version's partition of cell_stats or cell_blocks that
-- are not attached and whose version has no run: partitions detached by a
-- prune (or left by a crash between a prune's two transactions), and the
-- cell_blocks table of a save that ended without committing. A save in
-- progress may be listed too (its cell_blocks table is committed before the
-- save is): the cleanup drops a table only after taking its version's lock
-- (analysis_try_lock_version.sql) and checking it again
-- (analysis_is_orphan.sql).
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
WHERE c.relkind = 'r'
  AND NOT c.relispartition
  AND c.relname ~ '^cell_(stats|blocks)_[0-9]{1,18}$'
  AND substring(c.relname FROM '[0-9]+$')::bigint NOT IN (SELECT version FROM analysis_runs)
ORDER BY 1
