-- Makes version $2 the current analysis of scope $1.
INSERT INTO analysis_current (scope, version) VALUES ($1, $2)
ON CONFLICT (scope) DO UPDATE SET version = EXCLUDED.version
