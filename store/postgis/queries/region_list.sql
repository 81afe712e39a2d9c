SELECT level, code, name, parent, ST_AsBinary(geom), attrs
FROM regions
WHERE ($1::text = '' OR level = $1)
  AND ($2::text[] IS NULL OR code = ANY ($2))
  AND ($3::float8 IS NULL OR geom && ST_MakeEnvelope($3, $4, $5, $6, 4326))
ORDER BY level, code
