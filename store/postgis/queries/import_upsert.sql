-- Applies the staged rows to dataset $1, in its partition {{partition}}
-- (a partitioned table cannot return xmax). A row whose content hash and cell
-- match the stored one is left alone (unchanged); RETURNING reports
-- (xmax = 0) for rows that were inserted rather than updated.
WITH applied AS (
    INSERT INTO {{partition}} AS e (
        dataset_id, source_id, name, kind, type, nace,
        employees_known, employees_low, employees_high, founded, closed,
        street, postcode, district, province, country,
        lon, lat, precision, geocode_source, h3, attrs, content_hash)
    SELECT $1, source_id, name, kind, type, nace,
        employees_known, employees_low, employees_high, founded, closed,
        street, postcode, district, province, country,
        lon, lat, precision, geocode_source, h3, attrs, content_hash
    FROM import_stage
    ON CONFLICT (dataset_id, source_id) DO UPDATE SET
        name = EXCLUDED.name,
        kind = EXCLUDED.kind,
        type = EXCLUDED.type,
        nace = EXCLUDED.nace,
        employees_known = EXCLUDED.employees_known,
        employees_low = EXCLUDED.employees_low,
        employees_high = EXCLUDED.employees_high,
        founded = EXCLUDED.founded,
        closed = EXCLUDED.closed,
        street = EXCLUDED.street,
        postcode = EXCLUDED.postcode,
        district = EXCLUDED.district,
        province = EXCLUDED.province,
        country = EXCLUDED.country,
        lon = EXCLUDED.lon,
        lat = EXCLUDED.lat,
        precision = EXCLUDED.precision,
        geocode_source = EXCLUDED.geocode_source,
        h3 = EXCLUDED.h3,
        attrs = EXCLUDED.attrs,
        content_hash = EXCLUDED.content_hash
    WHERE e.content_hash <> EXCLUDED.content_hash OR e.h3 IS DISTINCT FROM EXCLUDED.h3
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
FROM applied
