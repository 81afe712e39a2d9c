-- $1 is the version (0 = the current public analysis); $2 the sector keys
-- (any of them); NULL $2 and 0 $3 do not filter.
SELECT id, sector, res, name, cells, ST_AsBinary(geom), firms, employees, lq, share,
    stars, suppressed, institutions_inside, institutions_near, roles_present, roles_missing,
    completeness, profile, name_tr, place, method, focus_firms, expected, p_value, llr, strong,
    composition, ecosystem
FROM clusters
WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
  AND ($2::text[] IS NULL OR sector = ANY ($2))
  AND ($3::int = 0 OR res = $3)
  AND ($4::float8 IS NULL OR geom && ST_MakeEnvelope($4, $5, $6, $7, 4326))
ORDER BY id
