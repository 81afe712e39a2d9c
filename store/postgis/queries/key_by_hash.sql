SELECT k.id, k.name, k.scope, k.hash, k.created_at, k.revoked_at,
    (SELECT jsonb_agg(jsonb_build_object('dataset_id', g.dataset_id, 'right', g.access) ORDER BY g.dataset_id)
     FROM api_key_grants g WHERE g.key_id = k.id) AS grants
FROM api_keys k
WHERE k.hash = $1 AND k.revoked_at IS NULL
