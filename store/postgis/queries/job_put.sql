INSERT INTO jobs (id, kind, status, owner, dataset_id, options, progress, result,
                  error_code, error_message, rejects, created_at, updated_at, finished_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (id) DO UPDATE SET
    kind = EXCLUDED.kind, status = EXCLUDED.status, owner = EXCLUDED.owner,
    dataset_id = EXCLUDED.dataset_id, options = EXCLUDED.options,
    progress = EXCLUDED.progress, result = EXCLUDED.result,
    error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
    rejects = EXCLUDED.rejects, created_at = EXCLUDED.created_at,
    updated_at = EXCLUDED.updated_at, finished_at = EXCLUDED.finished_at
