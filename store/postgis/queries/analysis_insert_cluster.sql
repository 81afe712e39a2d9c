INSERT INTO clusters (version, id, sector, res, name, cells, geom, firms, employees, lq, share,
    stars, suppressed, institutions_inside, institutions_near, roles_present, roles_missing,
    completeness, profile)
VALUES ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_Multi(ST_GeomFromWKB($7)), 4326), $8, $9, $10, $11,
    $12, $13, $14, $15, $16, $17, $18, $19)
