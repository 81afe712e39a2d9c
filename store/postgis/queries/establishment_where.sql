-- The filter shared by the establishment queries. A NULL parameter does not
-- filter. $2 holds LIKE patterns (prefix + '%', metacharacters escaped). $10,
-- when not NULL, keeps the public datasets and those it lists (the private
-- datasets a caller was granted).
-- The bounding box $5..$8 (west, south, east, north) is read through the index
-- on (floor(lat * 100), lon) of establishments (migration 00005), one range of
-- longitudes per latitude band: $12 and $13 are the bands of the box's south
-- and north edges, whose rows are also tested on lat, and $11 lists the bands
-- between them, wholly inside the box. Stating each band's latitude test once
-- keeps the planner's row estimate that of a plain box. $11..$13 are NULL for
-- a box of too many bands, which is tested on lon/lat only.
WHERE ($1::bigint[] IS NULL OR e.dataset_id = ANY ($1))
  AND ($2::text[] IS NULL OR e.nace LIKE ANY ($2))
  AND ($3::text = '' OR e.kind = $3)
  AND ($4::text = '' OR e.type = $4)
  AND ($5::float8 IS NULL OR (e.lon BETWEEN $5 AND $7 AND (
          ($11::integer[] IS NULL AND e.lat BETWEEN $6 AND $8)
       OR floor(e.lat * 100)::integer = ANY ($11)
       OR (floor(e.lat * 100)::integer = $12 AND e.lat BETWEEN $6 AND $8)
       OR (floor(e.lat * 100)::integer = $13 AND e.lat BETWEEN $6 AND $8))))
  AND ($9::timestamptz IS NULL OR
       ((e.founded IS NULL OR e.founded <= $9) AND (e.closed IS NULL OR e.closed > $9)))
  AND ($10::bigint[] IS NULL OR e.dataset_id = ANY ($10)
       OR e.dataset_id IN (SELECT id FROM datasets WHERE visibility = 'public'))
