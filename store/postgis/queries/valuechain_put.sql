INSERT INTO value_chains (id, definition) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition
