-- The scope of key $1, locked until the transaction ends.
SELECT scope FROM api_keys WHERE id = $1 FOR UPDATE
