-- Forgets the current analysis of scope $1; the next prune deletes its runs
-- and drops their cell blocks (analysis_prune_versions.sql).
DELETE FROM analysis_current WHERE scope = $1
