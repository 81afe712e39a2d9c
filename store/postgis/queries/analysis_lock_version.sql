-- Marks analysis version $1 as being saved, until the save transaction ends:
-- a transaction-level advisory lock (class 1802857829, "kume" in ASCII, and
-- the version; versions beyond 2^31 wrap, which at worst makes a cleanup skip
-- a table until a later one). A save's cell_blocks partition is committed
-- unattached before the save commits; analysis_try_lock_version.sql keeps the
-- cleanup of orphan partitions away from it while the lock is held.
SELECT pg_advisory_xact_lock(1802857829, ($1::bigint % 2147483648)::int)
