UPDATE datasets
SET imported_at = clock_timestamp(), establishment_count = establishment_count + $2
WHERE id = $1
