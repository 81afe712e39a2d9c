-- Takes, without waiting, the lock of analysis_lock_version.sql for version
-- $1 until the transaction ends; false while a save of that version runs.
SELECT pg_try_advisory_xact_lock(1802857829, ($1::bigint % 2147483648)::int)
