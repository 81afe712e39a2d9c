  AND e.id > $14
ORDER BY e.id
LIMIT $15
