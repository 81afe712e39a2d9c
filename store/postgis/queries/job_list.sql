-- $1 kind ('' for every kind), $2 owner (NULL for every owner), $3 limit
-- (NULL for no limit). The rejects are left out.
SELECT id, kind, status, owner, dataset_id, options, progress, result,
       error_code, error_message, NULL::bytea, created_at, updated_at, finished_at
FROM jobs
WHERE ($1 = '' OR kind = $1) AND ($2::bigint IS NULL OR owner = $2)
ORDER BY created_at DESC, id DESC
LIMIT $3
