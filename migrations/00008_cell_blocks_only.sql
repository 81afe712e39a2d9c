-- Cell statistics are stored once, packed in cell blocks: the per-cell table
-- cell_stats goes, and cell_blocks holds every statistic of a cell (format 2
-- below). Saving an analysis of a million firms wrote ~15 M rows into
-- cell_stats and built a primary key over them (about 40 s on two cores);
-- the same statistics as blocks are ~200,000 rows of about 8 kB, which the
-- server takes in a few seconds. Every read of the store goes through the
-- blocks; cell_stats stays readable in SQL as a view that unpacks them
-- (cell_block_cells below), slower than the table was, for ad-hoc queries.
--
-- cell_blocks (partitioned by version as in 00006): one row per (version,
-- resolution, sector key, block, part). block is the H3 parent, at resolution
-- res - 3 (0 at least), of the cells the row holds, with the resolution field
-- set to that parent's resolution and the unused digits set to 7; the cells of
-- a block are split into parts 0, 1, 2, ... of consecutive cells, so that a
-- row stays under about 8 kB and is stored in line, uncompressed (the store
-- creates each partition with toast_tuple_target = 8160 and the data column
-- with STORAGE MAIN). Only valid H3 cells of the row's resolution are stored.
--
-- data is a format byte (2) followed by one record per cell, sorted by cell.
-- A record is big-endian (as PostgreSQL's send functions write), 79 bytes:
--
--   offset  field
--        0  cell                 int8
--        8  centre lon           float8
--       16  centre lat           float8
--       24  firms                int4
--       28  closed               int4
--       32  employees            float8
--       40  employees_estimated  float8
--       48  imprecise            int4
--       52  lq                   float8 (0 when NULL)
--       60  gi_z                 float8 (0 when NULL)
--       68  gi_p                 float8 (0 when NULL)
--       76  gi_bin               int2
--       78  flags                1 lq present, 2 gi_z present, 4 gi_p present,
--                                8 suppressed, 16 institutions follow
--
-- followed, when flag 16 is set, by the institutions: an int2 length n and n
-- bytes of a JSON object of counts by institution type (UTF-8).

-- +goose Up
-- cell_block_float8 returns the float8 whose IEEE 754 bits are the int8 b.
-- +goose StatementBegin
CREATE FUNCTION cell_block_float8(b bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN e = 2047 AND m <> 0 THEN 'NaN'::float8
        WHEN e = 2047 THEN s * 'Infinity'::float8
        WHEN e = 0 THEN s * (m::float8 * 2::float8 ^ -1074)
        ELSE s * ((4503599627370496 + m)::float8 * 2::float8 ^ (e - 1075))
    END
    FROM (SELECT (b >> 52) & 2047 AS e, b & 4503599627370495 AS m,
                 CASE WHEN b < 0 THEN -1::float8 ELSE 1::float8 END AS s) AS x
$$;
-- +goose StatementEnd

-- cell_block_cells unpacks the records of the data of one cell_blocks row.
-- +goose StatementBegin
CREATE FUNCTION cell_block_cells(data bytea)
RETURNS TABLE (cell bigint, lon double precision, lat double precision, firms integer,
    closed integer, employees double precision, employees_estimated double precision,
    imprecise integer, lq double precision, gi_z double precision, gi_p double precision,
    gi_bin smallint, suppressed boolean, institutions jsonb)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    o integer := 1;
    n integer := length(data);
    flags integer;
    k integer;
BEGIN
    IF n = 0 OR get_byte(data, 0) <> 2 THEN
        RAISE EXCEPTION 'cell block: format % is not 2', CASE WHEN n > 0 THEN get_byte(data, 0) END;
    END IF;
    WHILE o < n LOOP
        IF o + 79 > n THEN
            RAISE EXCEPTION 'cell block: truncated record at byte %', o;
        END IF;
        cell := ('x' || encode(substring(data FROM o + 1 FOR 8), 'hex'))::bit(64)::bigint;
        lon := cell_block_float8(('x' || encode(substring(data FROM o + 9 FOR 8), 'hex'))::bit(64)::bigint);
        lat := cell_block_float8(('x' || encode(substring(data FROM o + 17 FOR 8), 'hex'))::bit(64)::bigint);
        firms := ('x' || encode(substring(data FROM o + 25 FOR 4), 'hex'))::bit(32)::integer;
        closed := ('x' || encode(substring(data FROM o + 29 FOR 4), 'hex'))::bit(32)::integer;
        employees := cell_block_float8(('x' || encode(substring(data FROM o + 33 FOR 8), 'hex'))::bit(64)::bigint);
        employees_estimated := cell_block_float8(('x' || encode(substring(data FROM o + 41 FOR 8), 'hex'))::bit(64)::bigint);
        imprecise := ('x' || encode(substring(data FROM o + 49 FOR 4), 'hex'))::bit(32)::integer;
        flags := get_byte(data, o + 78);
        lq := CASE WHEN flags & 1 <> 0 THEN
            cell_block_float8(('x' || encode(substring(data FROM o + 53 FOR 8), 'hex'))::bit(64)::bigint) END;
        gi_z := CASE WHEN flags & 2 <> 0 THEN
            cell_block_float8(('x' || encode(substring(data FROM o + 61 FOR 8), 'hex'))::bit(64)::bigint) END;
        gi_p := CASE WHEN flags & 4 <> 0 THEN
            cell_block_float8(('x' || encode(substring(data FROM o + 69 FOR 8), 'hex'))::bit(64)::bigint) END;
        k := get_byte(data, o + 76) * 256 + get_byte(data, o + 77);
        gi_bin := (CASE WHEN k >= 32768 THEN k - 65536 ELSE k END)::smallint;
        suppressed := flags & 8 <> 0;
        institutions := NULL;
        o := o + 79;
        IF flags & 16 <> 0 THEN
            IF o + 2 > n THEN
                RAISE EXCEPTION 'cell block: truncated institutions at byte %', o;
            END IF;
            k := get_byte(data, o) * 256 + get_byte(data, o + 1);
            IF o + 2 + k > n THEN
                RAISE EXCEPTION 'cell block: truncated institutions at byte %', o;
            END IF;
            institutions := convert_from(substring(data FROM o + 3 FOR k), 'UTF8')::jsonb;
            o := o + 2 + k;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE cell_blocks RENAME TO cell_blocks_v7;
ALTER TABLE cell_blocks_v7 RENAME CONSTRAINT cell_blocks_pkey TO cell_blocks_v7_pkey;

CREATE TABLE cell_blocks (
    version bigint   NOT NULL,
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    part    smallint NOT NULL,
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, block, part)
) PARTITION BY LIST (version);
ALTER TABLE cell_blocks ALTER COLUMN data SET STORAGE MAIN;

-- CONVERSION-UP: the rows of cell_stats (00006) become format 2 blocks.

DROP TABLE cell_blocks_v7;
DROP TABLE cell_stats;

-- The cell statistics as rows, as the table cell_stats had them (without the
-- cells the blocks leave out: none that the store wrote).
CREATE VIEW cell_stats AS
SELECT b.version, b.res, b.sector, c.cell, c.lon, c.lat, c.firms, c.closed, c.employees,
    c.employees_estimated, c.imprecise, c.lq, c.gi_z, c.gi_p, c.gi_bin, c.suppressed, c.institutions
FROM cell_blocks b
CROSS JOIN LATERAL cell_block_cells(b.data) c;

-- +goose Down
-- CONVERSION-DOWN
