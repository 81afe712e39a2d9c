-- Whether the table $1 (cell_blocks_<v> or cell_stats_<v>, v = $2) exists in
-- the current schema, is not attached, and its version has no run: a
-- partition detached by a prune, or a table left by a save of an older build
-- that ended without committing. Run after analysis_try_lock_version.sql
-- succeeded, in a statement of its own, so that its snapshot sees the commit
-- of a save that just released the lock.
SELECT EXISTS (
    SELECT FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    WHERE c.relname = $1
      AND c.relkind = 'r'
      AND NOT c.relispartition
      AND NOT EXISTS (SELECT FROM analysis_runs WHERE version = $2)
)
