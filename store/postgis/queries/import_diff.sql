-- Counts what applying the staged rows to dataset {{dataset}}'s partition
-- {{partition}} changes: rows inserted, rows updated (content hash or cell
-- differ) and open rows absent from the import (closed by a replacing import).
-- The partition is read directly, not through establishments, so the import
-- holds no lock on the parent table before it swaps partitions.
SELECT
    count(*) FILTER (WHERE o.source_id IS NULL),
    count(*) FILTER (WHERE s.source_id IS NOT NULL AND o.source_id IS NOT NULL
        AND (s.content_hash <> o.content_hash OR s.h3 IS DISTINCT FROM o.h3)),
    count(*) FILTER (WHERE s.source_id IS NULL AND o.closed IS NULL)
FROM import_stage s
FULL JOIN {{partition}} o ON o.source_id = s.source_id
