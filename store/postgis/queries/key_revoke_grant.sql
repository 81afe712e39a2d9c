DELETE FROM api_key_grants WHERE key_id = $1 AND dataset_id = $2
