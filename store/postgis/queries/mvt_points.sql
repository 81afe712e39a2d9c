-- The establishments or institutions layer of a tile as one MVT layer, in
-- three parts: this head, the shared filter establishment_where.sql ($1..$10)
-- and mvt_points_end.sql. $11 caps the establishments read (the lowest ids
-- first, NULL = no cap), $12 is the layer's name, $13..$15 the tile z, x, y,
-- $16 the extent, $17 the buffer (tile units) and $18 true for the
-- institutions layer (properties id, name, type) and false for the
-- establishments layer (id, name, nace and an employee size band). The feature
-- id is the establishment's id.
SELECT ST_AsMVT(t, $12, $16, 'geom', 'fid')
FROM (
    SELECT p.id AS fid, p.id, p.name,
        CASE WHEN $18 THEN p.type END AS type,
        CASE WHEN NOT $18 THEN NULLIF(p.nace, '') END AS nace,
        -- the head count as a band; exact counts are never published
        CASE
            WHEN $18 OR NOT p.employees_known THEN NULL
            WHEN p.employees_low <> p.employees_high AND p.employees_high < 0 THEN p.employees_low || '+'
            WHEN p.employees_low <> p.employees_high THEN p.employees_low || '-' || p.employees_high
            WHEN p.employees_low <= 0 THEN '0'
            WHEN p.employees_low < 10 THEN '1-9'
            WHEN p.employees_low < 50 THEN '10-49'
            WHEN p.employees_low < 250 THEN '50-249'
            ELSE '250+'
        END AS employees,
        ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), 3857),
            ST_TileEnvelope($13, $14, $15), $16, $17, true) AS geom
    FROM (
        SELECT e.id, e.name, e.type, e.nace, e.employees_known, e.employees_low, e.employees_high, e.lon, e.lat
        FROM establishments e
