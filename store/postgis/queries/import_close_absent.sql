-- Closes at $2 the open establishments of dataset $1 that are absent from the
-- staged rows; rows already closed keep their time. content_hash 0 makes any
-- later import of them an update.
UPDATE {{partition}} e
SET closed = $2, content_hash = 0
WHERE e.dataset_id = $1
  AND e.closed IS NULL
  AND NOT EXISTS (SELECT 1 FROM import_stage s WHERE s.source_id = e.source_id)
