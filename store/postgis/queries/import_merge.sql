-- Fills {{next}}, the next version of dataset $1's partition, with the current
-- partition {{partition}} merged with the staged rows in one pass:
--   - a row only in the partition is kept; a replacing import ($2 not NULL)
--     closes it at $2 if it is open, with content hash 0 so that any later
--     import of its source id counts as an update;
--   - a staged row whose content hash and cell match the stored row keeps the
--     stored row (unchanged);
--   - any other staged row is written, with the stored row's id (updated) or a
--     new one (inserted).
-- import_diff.sql counts the same cases.
INSERT INTO {{next}} (
    id, dataset_id, source_id, name, kind, type, nace,
    employees_known, employees_low, employees_high, founded, closed,
    street, postcode, district, province, country,
    lon, lat, precision, geocode_source, h3, attrs, content_hash)
SELECT
    coalesce(o.id, nextval('establishments_id_seq')),
    $1,
    coalesce(s.source_id, o.source_id),
    CASE WHEN m.keep THEN o.name ELSE s.name END,
    CASE WHEN m.keep THEN o.kind ELSE s.kind END,
    CASE WHEN m.keep THEN o.type ELSE s.type END,
    CASE WHEN m.keep THEN o.nace ELSE s.nace END,
    CASE WHEN m.keep THEN o.employees_known ELSE s.employees_known END,
    CASE WHEN m.keep THEN o.employees_low ELSE s.employees_low END,
    CASE WHEN m.keep THEN o.employees_high ELSE s.employees_high END,
    CASE WHEN m.keep THEN o.founded ELSE s.founded END,
    CASE
        WHEN s.source_id IS NULL THEN coalesce(o.closed, $2::timestamptz)
        WHEN m.keep THEN o.closed
        ELSE s.closed
    END,
    CASE WHEN m.keep THEN o.street ELSE s.street END,
    CASE WHEN m.keep THEN o.postcode ELSE s.postcode END,
    CASE WHEN m.keep THEN o.district ELSE s.district END,
    CASE WHEN m.keep THEN o.province ELSE s.province END,
    CASE WHEN m.keep THEN o.country ELSE s.country END,
    CASE WHEN m.keep THEN o.lon ELSE s.lon END,
    CASE WHEN m.keep THEN o.lat ELSE s.lat END,
    CASE WHEN m.keep THEN o.precision ELSE s.precision END,
    CASE WHEN m.keep THEN o.geocode_source ELSE s.geocode_source END,
    CASE WHEN m.keep THEN o.h3 ELSE s.h3 END,
    CASE WHEN m.keep THEN o.attrs ELSE s.attrs END,
    CASE
        WHEN s.source_id IS NULL AND o.closed IS NULL AND $2::timestamptz IS NOT NULL THEN 0
        WHEN m.keep THEN o.content_hash
        ELSE s.content_hash
    END
FROM import_stage s
FULL JOIN {{partition}} o ON o.source_id = s.source_id
CROSS JOIN LATERAL (
    SELECT s.source_id IS NULL OR (o.source_id IS NOT NULL
        AND s.content_hash = o.content_hash AND s.h3 IS NOT DISTINCT FROM o.h3) AS keep
) m
