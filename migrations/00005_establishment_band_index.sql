-- The bounding-box index of establishments becomes a btree on (latitude band,
-- longitude) instead of a GiST index on the point: the band is
-- floor(lat * 100), a strip of 0.01 degrees. A box query reads, for each band
-- the box touches, the index range of its longitudes, then filters on lon/lat
-- exactly (store/postgis/queries/establishment_where.sql). Building the btree
-- after a bulk import costs a fraction of the GiST build, which took about as
-- long as copying the rows in; the box queries read about as few rows.

-- +goose Up
CREATE INDEX establishments_band_idx ON establishments ((floor(lat * 100)::integer), lon);
DROP INDEX establishments_geom_idx;

-- +goose Down
CREATE INDEX establishments_geom_idx ON establishments
    USING gist ((ST_SetSRID(ST_MakePoint(lon, lat), 4326)));
DROP INDEX establishments_band_idx;
