INSERT INTO datasets (name, source, licence, attribution, visibility)
VALUES ($1, $2, $3, $4, $5)
RETURNING id
