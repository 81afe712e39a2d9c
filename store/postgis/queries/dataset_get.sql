SELECT id, name, source, licence, attribution, visibility, imported_at, establishment_count
FROM datasets
WHERE id = $1
