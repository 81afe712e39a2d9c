UPDATE datasets d
SET name = $2, source = $3, licence = $4, attribution = $5, visibility = $6
FROM (SELECT id, visibility FROM datasets WHERE id = $1 FOR UPDATE) old
WHERE d.id = old.id
RETURNING old.visibility <> d.visibility
