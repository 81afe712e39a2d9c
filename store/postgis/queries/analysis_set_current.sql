INSERT INTO analysis_current (singleton, version) VALUES (true, $1)
ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version
