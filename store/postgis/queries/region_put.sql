INSERT INTO regions (level, code, name, parent, geom, attrs)
VALUES ($1, $2, $3, $4, ST_SetSRID(ST_Multi(ST_GeomFromWKB($5)), 4326), $6)
ON CONFLICT (level, code) DO UPDATE SET
    name = EXCLUDED.name, parent = EXCLUDED.parent, geom = EXCLUDED.geom, attrs = EXCLUDED.attrs
