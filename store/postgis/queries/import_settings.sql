-- Settings for the rest of an import transaction. Only the durability of the
-- import's own commit is relaxed (a crash right after it may lose the import
-- as a whole, never part of it); index builds of a large dataset sort in memory.
SET LOCAL synchronous_commit = off;
SET LOCAL maintenance_work_mem = '256MB'
