-- The clusters layer of a tile as one MVT layer: the footprints of one
-- sector's clusters of an analysis version. $1..$11 are those of
-- mvt_regions.sql; $12 is the version and $13 the sector keys of the
-- clusters (layer.Sectors.ClusterKeys; NULL for every key's). A suppressed cluster
-- keeps its identity (id, names, place, sector, res) and suppressed only, the public
-- view of package layer (layer.Withheld). The feature id is the first 53 bits of the MD5 of
-- 'cluster' and the cluster's id, each followed by a zero byte
-- (tiles.FeatureID).
SELECT ST_AsMVT(t, $1, $5, 'geom', 'fid')
FROM (
    SELECT
        ('x' || left(md5(convert_to('cluster', 'UTF8') || '\x00'::bytea || convert_to(c.id, 'UTF8')
            || '\x00'::bytea), 14))::bit(56)::bigint >> 3 AS fid,
        c.id, c.name, nullif(c.name_tr, '') AS name_tr, nullif(c.place, '') AS place, c.sector, c.res::bigint AS res,
        CASE WHEN NOT c.suppressed THEN c.stars::bigint END AS stars,
        CASE WHEN NOT c.suppressed THEN c.strong END AS strong,
        CASE WHEN NOT c.suppressed THEN c.focus_firms::bigint END AS focus_firms,
        CASE WHEN NOT c.suppressed AND c.p_value NOT IN ('NaN', 'Infinity', '-Infinity') THEN c.p_value END AS p_value,
        CASE WHEN NOT c.suppressed THEN (c.ecosystem->>'completeness')::float8 END AS ecosystem,
        CASE WHEN NOT c.suppressed THEN
            (SELECT coalesce(sum(j.value::bigint), 0)::bigint
             FROM jsonb_each_text(CASE WHEN jsonb_typeof(c.institutions_inside) = 'object'
                                       THEN c.institutions_inside END) AS j)
        END AS institutions,
        c.suppressed,
        CASE WHEN NOT c.suppressed AND c.completeness NOT IN ('NaN', 'Infinity', '-Infinity')
            THEN c.completeness END AS completeness,
        CASE WHEN NOT c.suppressed THEN c.firms::bigint END AS firms,
        -- employees rounded to 0.1, halves away from zero (round() of a
        -- double rounds them to even)
        CASE WHEN NOT c.suppressed THEN
            (CASE WHEN abs(e.x - trunc(e.x)) = 0.5 THEN trunc(e.x) + sign(e.x) ELSE round(e.x) END) / 10 + 0.0
        END AS employees,
        CASE WHEN NOT c.suppressed AND c.lq NOT IN ('NaN', 'Infinity', '-Infinity') THEN c.lq END AS lq,
        ST_ForcePolygonCCW(ST_AsMVTGeom(
            ST_Simplify(ST_Transform(ST_ClipByBox2D(c.geom, ST_MakeEnvelope($8, $9, $10, $11, 4326)::box2d), 3857), $7),
            ST_TileEnvelope($2, $3, $4), $5, $6, true)) AS geom
    FROM clusters c
    CROSS JOIN LATERAL (SELECT c.employees * 10 AS x) e
    WHERE c.version = $12
      AND ($13::text[] IS NULL OR c.sector = ANY ($13))
      AND c.geom && ST_MakeEnvelope($8, $9, $10, $11, 4326)
) t
WHERE t.geom IS NOT NULL
