-- The regions layer of a tile as one MVT layer. $1 is the layer's name, $2..$4
-- the tile z, x, y, $5 the extent, $6 the buffer (tile units), $7 the
-- simplification tolerance (metres of Web Mercator) and $8..$11 the buffered
-- tile in WGS84 (min lon, min lat, max lon, max lat). $12 is the level ('' =
-- all), $13 the analysis version of the statistics (0 = none) and $14 their
-- sector. A suppressed statistic shows suppressed only: its numbers, stars and
-- strong flag are withheld, the public view of package layer (layer.Withheld).
--
-- Geometry is clipped to the buffered tile in WGS84 first (its edges are lines
-- of constant longitude and latitude, which Web Mercator keeps straight), so
-- that only the part near the tile is projected and simplified. The feature id
-- is the first 53 bits of the MD5 of 'region', level and code, each followed by
-- a zero byte (tiles.FeatureID).
--
-- ST_AsMVTGeom snaps to the grid, simplifies at half a unit and makes the
-- polygons valid; PostGIS 3.3 built with wagyu already writes exterior rings of
-- positive area in y-down tile coordinates (clockwise as drawn), the MVT 2.1
-- rule, but builds that clip with GEOS have not always agreed, so
-- ST_ForcePolygonCCW (positive shoelace area in the tile's own coordinates,
-- which is that rule) fixes the winding whatever the build.
SELECT ST_AsMVT(t, $1, $5, 'geom', 'fid')
FROM (
    SELECT
        ('x' || left(md5(convert_to('region', 'UTF8') || '\x00'::bytea || convert_to(r.level, 'UTF8')
            || '\x00'::bytea || convert_to(r.code, 'UTF8') || '\x00'::bytea), 14))::bit(56)::bigint >> 3 AS fid,
        r.code, r.name, r.level, NULLIF(r.parent, '') AS parent,
        CASE WHEN NOT s.suppressed THEN s.stars::bigint END AS stars,
        CASE WHEN NOT s.suppressed THEN s.strong END AS strong, s.suppressed,
        CASE WHEN NOT s.suppressed THEN s.firms::bigint END AS firms,
        -- employees rounded to 0.1, halves away from zero (round() of a
        -- double rounds them to even)
        CASE WHEN NOT s.suppressed THEN
            (CASE WHEN abs(e.x - trunc(e.x)) = 0.5 THEN trunc(e.x) + sign(e.x) ELSE round(e.x) END) / 10 + 0.0
        END AS employees,
        CASE WHEN NOT s.suppressed AND s.lq NOT IN ('NaN', 'Infinity', '-Infinity') THEN s.lq END AS lq,
        CASE WHEN NOT s.suppressed AND s.lq_employed NOT IN ('NaN', 'Infinity', '-Infinity') THEN s.lq_employed END
            AS lq_employment,
        ST_ForcePolygonCCW(ST_AsMVTGeom(
            ST_Simplify(ST_Transform(ST_ClipByBox2D(r.geom, ST_MakeEnvelope($8, $9, $10, $11, 4326)::box2d), 3857), $7),
            ST_TileEnvelope($2, $3, $4), $5, $6, true)) AS geom
    FROM regions r
    LEFT JOIN region_stats s
        ON s.version = $13 AND s.level = r.level AND s.sector = $14 AND s.code = r.code
    CROSS JOIN LATERAL (SELECT s.employees * 10 AS x) e
    WHERE ($12::text = '' OR r.level = $12)
      AND r.geom && ST_MakeEnvelope($8, $9, $10, $11, 4326)
) t
WHERE t.geom IS NOT NULL
