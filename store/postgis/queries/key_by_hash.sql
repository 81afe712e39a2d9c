SELECT id, name, scope, hash, created_at, revoked_at
FROM api_keys
WHERE hash = $1 AND revoked_at IS NULL
