-- Gives key $1 the right $3 on dataset $2, replacing the one it had there;
-- no row when the dataset does not exist.
INSERT INTO api_key_grants (key_id, dataset_id, access)
SELECT $1, d.id, $3 FROM datasets d WHERE d.id = $2
ON CONFLICT (key_id, dataset_id) DO UPDATE SET access = EXCLUDED.access
