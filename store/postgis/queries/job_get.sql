SELECT id, kind, status, owner, dataset_id, options, progress, result,
       error_code, error_message, rejects, created_at, updated_at, finished_at
FROM jobs
WHERE id = $1
