-- Cell statistics are stored once, packed in cell blocks: the per-cell table
-- cell_stats goes, and cell_blocks holds every statistic of a cell (format 2
-- below). Saving an analysis of a million firms wrote ~15 M rows into
-- cell_stats and built a primary key over them (about 40 s on two cores);
-- the same statistics as blocks are ~150,000 rows of about 8 kB, which the
-- server takes in a few seconds. Every read of the store goes through the
-- blocks; cell_stats stays readable in SQL as a view that unpacks them
-- (cell_block_cells below), slower than the table was, for ad-hoc queries.
--
-- cell_blocks (partitioned by version as in 00006): one row per run of
-- consecutive cells (in index order) of one version, resolution and sector
-- key, keyed by its first cell. The store starts a new row before a record
-- that would take the row's data beyond 7,901 bytes (100 records without
-- institutions), so that a row stays under 8 kB and is stored in line,
-- uncompressed: the store creates each partition with toast_tuple_target =
-- 8160 and the data column has STORAGE MAIN. A read of the cells of a range
-- of indexes reads the rows whose first cell lies in it and the row before.
-- Only valid H3 cells of the row's resolution are stored.
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
-- cell_block_float8 returns the float8 whose IEEE 754 bits are the int8 b. It
-- is one expression, not STRICT, so that the planner inlines it into the
-- expressions of cell_block_cells (about ten times faster than a call).
-- +goose StatementBegin
CREATE FUNCTION cell_block_float8(b bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN (b >> 52) & 2047 = 2047 AND b & 4503599627370495 <> 0 THEN 'NaN'::float8
        WHEN (b >> 52) & 2047 = 2047 THEN
            CASE WHEN b < 0 THEN '-Infinity'::float8 ELSE 'Infinity'::float8 END
        WHEN (b >> 52) & 2047 = 0 THEN CASE WHEN b < 0 THEN -1::float8 ELSE 1::float8 END
            * ((b & 4503599627370495)::float8 * 2::float8 ^ -1074)
        ELSE CASE WHEN b < 0 THEN -1::float8 ELSE 1::float8 END
            * ((4503599627370496 + (b & 4503599627370495))::float8 * 2::float8 ^ (((b >> 52) & 2047) - 1075))
    END
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
    b bigint;
BEGIN
    -- One copy, uncompressed: a compressed value would be decompressed by
    -- every substring below.
    data := data || ''::bytea;
    IF n = 0 OR get_byte(data, 0) <> 2 THEN
        RAISE EXCEPTION 'cell block: format % is not 2', CASE WHEN n > 0 THEN get_byte(data, 0) END;
    END IF;
    WHILE o < n LOOP
        IF o + 79 > n THEN
            RAISE EXCEPTION 'cell block: truncated record at byte %', o;
        END IF;
        cell := ('x' || encode(substring(data FROM o + 1 FOR 8), 'hex'))::bit(64)::bigint;
        b := ('x' || encode(substring(data FROM o + 9 FOR 8), 'hex'))::bit(64)::bigint;
        lon := cell_block_float8(b);
        b := ('x' || encode(substring(data FROM o + 17 FOR 8), 'hex'))::bit(64)::bigint;
        lat := cell_block_float8(b);
        firms := ('x' || encode(substring(data FROM o + 25 FOR 4), 'hex'))::bit(32)::integer;
        closed := ('x' || encode(substring(data FROM o + 29 FOR 4), 'hex'))::bit(32)::integer;
        b := ('x' || encode(substring(data FROM o + 33 FOR 8), 'hex'))::bit(64)::bigint;
        employees := cell_block_float8(b);
        b := ('x' || encode(substring(data FROM o + 41 FOR 8), 'hex'))::bit(64)::bigint;
        employees_estimated := cell_block_float8(b);
        imprecise := ('x' || encode(substring(data FROM o + 49 FOR 4), 'hex'))::bit(32)::integer;
        flags := get_byte(data, o + 78);
        b := ('x' || encode(substring(data FROM o + 53 FOR 8), 'hex'))::bit(64)::bigint;
        lq := CASE WHEN flags & 1 <> 0 THEN cell_block_float8(b) END;
        b := ('x' || encode(substring(data FROM o + 61 FOR 8), 'hex'))::bit(64)::bigint;
        gi_z := CASE WHEN flags & 2 <> 0 THEN cell_block_float8(b) END;
        b := ('x' || encode(substring(data FROM o + 69 FOR 8), 'hex'))::bit(64)::bigint;
        gi_p := CASE WHEN flags & 4 <> 0 THEN cell_block_float8(b) END;
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

-- The format 1 blocks go first: their partitions hold the names
-- cell_blocks_<version> that the new partitions take, and cell_stats holds
-- every statistic they have.
DROP TABLE cell_blocks;

CREATE TABLE cell_blocks (
    version bigint   NOT NULL,
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    cell    bigint   NOT NULL, -- the first cell of the row
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, cell)
) PARTITION BY LIST (version);
ALTER TABLE cell_blocks ALTER COLUMN data SET STORAGE MAIN;

-- One partition per analysis version, rows stored in line (see above).
-- +goose StatementBegin
DO $$
DECLARE
    v bigint;
BEGIN
    FOR v IN SELECT version FROM analysis_runs ORDER BY 1 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF cell_blocks FOR VALUES IN (%s) WITH (toast_tuple_target = 8160)',
            'cell_blocks_' || v, v);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN data SET STORAGE MAIN', 'cell_blocks_' || v);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- The rows of cell_stats (00006) become format 2 blocks of 100 cells (fewer
-- for the last of a resolution and sector key). Rows of a version without a
-- run (none, if only the store wrote them) have no partition to go to.
INSERT INTO cell_blocks (version, res, sector, cell, data)
SELECT version, res, sector, min(cell),
    '\x02'::bytea || string_agg(record, ''::bytea ORDER BY cell)
FROM (
    SELECT version, res, sector, cell,
        (row_number() OVER (PARTITION BY version, res, sector ORDER BY cell) - 1) / 100 AS run,
        int8send(cell) || float8send(lon) || float8send(lat) || int4send(firms) || int4send(closed)
        || float8send(employees) || float8send(employees_estimated) || int4send(imprecise)
        || coalesce(float8send(lq), '\x0000000000000000'::bytea)
        || coalesce(float8send(gi_z), '\x0000000000000000'::bytea)
        || coalesce(float8send(gi_p), '\x0000000000000000'::bytea)
        || int2send(gi_bin)
        || set_byte('\x00'::bytea, 0, (lq IS NOT NULL)::int | ((gi_z IS NOT NULL)::int << 1)
            | ((gi_p IS NOT NULL)::int << 2) | (suppressed::int << 3)
            | ((institutions IS NOT NULL)::int << 4))
        || CASE WHEN institutions IS NOT NULL THEN
            int2send(octet_length(convert_to(institutions::text, 'UTF8'))::smallint)
            || convert_to(institutions::text, 'UTF8')
        ELSE ''::bytea END AS record
    FROM cell_stats
    WHERE lon IS NOT NULL AND ((cell >> 52) & 15) = res
        AND version IN (SELECT version FROM analysis_runs)
) AS r
GROUP BY version, res, sector, run;

DROP TABLE cell_stats;

-- The cell statistics as rows, as the table cell_stats had them (without the
-- cells the blocks leave out: none that the store wrote).
CREATE VIEW cell_stats AS
SELECT b.version, b.res, b.sector, c.cell, c.lon, c.lat, c.firms, c.closed, c.employees,
    c.employees_estimated, c.imprecise, c.lq, c.gi_z, c.gi_p, c.gi_bin, c.suppressed, c.institutions
FROM cell_blocks b
CROSS JOIN LATERAL cell_block_cells(b.data) c;

-- +goose Down
-- Back to schema version 7 (00006): partitioned cell_stats and format 1
-- cell_blocks. The rows are unpacked into a plain table first, so that the
-- new tables can take the names of the partitions.
CREATE TABLE cell_stats_v8 AS
SELECT version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions
FROM cell_stats;

DROP VIEW cell_stats;
-- Dropping a partitioned table drops its partitions.
DROP TABLE cell_blocks;
DROP FUNCTION cell_block_cells(bytea);
DROP FUNCTION cell_block_float8(bigint);

CREATE TABLE cell_stats (
    version             bigint   NOT NULL,
    res                 smallint NOT NULL,
    sector              text     NOT NULL,
    cell                bigint   NOT NULL,
    lon                 double precision,
    lat                 double precision,
    firms               integer  NOT NULL,
    closed              integer  NOT NULL,
    employees           double precision NOT NULL,
    employees_estimated double precision NOT NULL,
    imprecise           integer  NOT NULL,
    lq                  double precision,
    gi_z                double precision,
    gi_p                double precision,
    gi_bin              smallint NOT NULL,
    suppressed          boolean  NOT NULL,
    institutions        jsonb,
    PRIMARY KEY (version, res, sector, cell)
) PARTITION BY LIST (version);

CREATE TABLE cell_blocks (
    version bigint   NOT NULL,
    res     smallint NOT NULL,
    sector  text     NOT NULL,
    block   bigint   NOT NULL,
    data    bytea    NOT NULL,
    PRIMARY KEY (version, res, sector, block)
) PARTITION BY LIST (version);
ALTER TABLE cell_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose StatementBegin
DO $$
DECLARE
    v bigint;
BEGIN
    FOR v IN SELECT version FROM analysis_runs ORDER BY 1 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF cell_stats FOR VALUES IN (%s)', 'cell_stats_' || v, v);
        EXECUTE format('CREATE TABLE %I PARTITION OF cell_blocks FOR VALUES IN (%s)', 'cell_blocks_' || v, v);
    END LOOP;
END
$$;
-- +goose StatementEnd

INSERT INTO cell_stats (version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions)
SELECT version, res, sector, cell, lon, lat, firms, closed, employees,
    employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions
FROM cell_stats_v8
WHERE version IN (SELECT version FROM analysis_runs);

DROP TABLE cell_stats_v8;

-- The format 1 blocks, built as 00004 built them.
INSERT INTO cell_blocks (version, res, sector, block, data)
SELECT version, res, sector,
    (cell & ~(15::bigint << 52)) | (greatest(res - 3, 0)::bigint << 52)
        | ((1::bigint << (3 * (15 - greatest(res - 3, 0)))) - 1) AS block,
    '\x01'::bytea || string_agg(
        int8send(cell) || float8send(lon) || float8send(lat) || int4send(firms)
        || float8send(employees) || int4send(imprecise)
        || coalesce(float8send(lq), '\x0000000000000000'::bytea)
        || coalesce(float8send(gi_z), '\x0000000000000000'::bytea)
        || coalesce(float8send(gi_p), '\x0000000000000000'::bytea)
        || int2send(gi_bin)
        || set_byte('\x00'::bytea, 0, (lq IS NOT NULL)::int | ((gi_z IS NOT NULL)::int << 1)
            | ((gi_p IS NOT NULL)::int << 2) | (suppressed::int << 3)),
        ''::bytea ORDER BY cell)
FROM cell_stats
WHERE lon IS NOT NULL AND ((cell >> 52) & 15) = res
GROUP BY 1, 2, 3, 4;
