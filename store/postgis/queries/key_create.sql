INSERT INTO api_keys (name, scope, hash) VALUES ($1, $2, $3)
RETURNING id, created_at
