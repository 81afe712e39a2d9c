-- Forgets the current analysis of every scope that names dataset $1
-- ('datasets:<id>,<id>…'); the next prune deletes their runs.
DELETE FROM analysis_current
WHERE scope LIKE 'datasets:%'
  AND $1::bigint = ANY (string_to_array(substring(scope FROM 10), ',')::bigint[])
