-- The filter shared by the establishment queries. A NULL (or false) parameter
-- does not filter. $2 holds LIKE patterns (prefix + '%', metacharacters escaped).
-- The bounding box test is on the expression the GiST index of establishments
-- is built on (migration 00003).
WHERE ($1::bigint[] IS NULL OR e.dataset_id = ANY ($1))
  AND ($2::text[] IS NULL OR e.nace LIKE ANY ($2))
  AND ($3::text = '' OR e.kind = $3)
  AND ($4::text = '' OR e.type = $4)
  AND ($5::float8 IS NULL OR ST_SetSRID(ST_MakePoint(e.lon, e.lat), 4326) && ST_MakeEnvelope($5, $6, $7, $8, 4326))
  AND ($9::timestamptz IS NULL OR
       ((e.founded IS NULL OR e.founded <= $9) AND (e.closed IS NULL OR e.closed > $9)))
  AND (NOT $10::boolean OR e.dataset_id IN (SELECT id FROM datasets WHERE visibility = 'public'))
