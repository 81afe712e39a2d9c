-- Tables named like a version's partition of cell_blocks (or of cell_stats,
-- which schema versions before 00008 had) that are not attached and whose
-- version has no run: partitions detached by a prune (or left by a crash
-- between a prune's two transactions), and the cell_blocks table that a save
-- of an older build committed before it failed. The cleanup drops a table
-- only after taking its version's lock (analysis_try_lock_version.sql) and
-- checking it again (analysis_is_orphan.sql).
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
WHERE c.relkind = 'r'
  AND NOT c.relispartition
  AND c.relname ~ '^cell_(stats|blocks)_[0-9]{1,18}$'
  AND substring(c.relname FROM '[0-9]+$')::bigint NOT IN (SELECT version FROM analysis_runs)
ORDER BY 1
