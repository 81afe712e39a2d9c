SELECT id, name, scope, hash, created_at, revoked_at
FROM api_keys
ORDER BY id
