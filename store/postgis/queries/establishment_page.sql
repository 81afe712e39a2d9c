  AND e.id > $11
ORDER BY e.id
LIMIT $12
