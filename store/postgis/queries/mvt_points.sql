-- The establishments or institutions layer of a tile as one MVT layer, in
-- three parts: this head, the shared filter establishment_where.sql ($1..$13)
-- and mvt_points_end.sql. $14 caps the establishments read (the lowest ids
-- first, NULL = no cap), $15 is the layer's name, $16..$18 the tile z, x, y,
-- $19 the extent, $20 the buffer (tile units) and $21 true for the
-- institutions layer (properties id, name, type) and false for the
-- establishments layer (id, name, nace and an employee size band). The feature
-- id is the establishment's id.
SELECT ST_AsMVT(t, $15, $19, 'geom', 'fid')
FROM (
    SELECT p.id AS fid, p.id, p.name,
        CASE WHEN $21 THEN p.type END AS type,
        CASE WHEN NOT $21 THEN NULLIF(p.nace, '') END AS nace,
        -- the head count as a band; exact counts are never published
        CASE
            WHEN $21 OR NOT p.employees_known THEN NULL
            WHEN p.employees_low <> p.employees_high AND p.employees_high < 0 THEN p.employees_low || '+'
            WHEN p.employees_low <> p.employees_high THEN p.employees_low || '-' || p.employees_high
            WHEN p.employees_low <= 0 THEN '0'
            WHEN p.employees_low < 10 THEN '1-9'
            WHEN p.employees_low < 50 THEN '10-49'
            WHEN p.employees_low < 250 THEN '50-249'
            ELSE '250+'
        END AS employees,
        ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), 3857),
            ST_TileEnvelope($16, $17, $18), $19, $20, true) AS geom
    FROM (
        SELECT e.id, e.name, e.type, e.nace, e.employees_known, e.employees_low, e.employees_high, e.lon, e.lat
        FROM establishments e
