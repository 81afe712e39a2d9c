-- Deletes the runs $1 (the version's region statistics and clusters go with
-- them, ON DELETE CASCADE); analysis_detach_partitions.sql detaches their cell
-- statistics and blocks in the same transaction.
DELETE FROM analysis_runs WHERE version = ANY ($1::bigint[])
