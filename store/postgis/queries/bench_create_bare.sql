-- A table like establishments without keys, indexes or derived columns: the
-- baseline BenchmarkImport compares an import with.
CREATE TABLE bench_bare (
    dataset_id      bigint,
    source_id       text,
    name            text,
    kind            text,
    type            text,
    nace            text,
    employees_known boolean,
    employees_low   integer,
    employees_high  integer,
    founded         timestamptz,
    closed          timestamptz,
    street          text,
    postcode        text,
    district        text,
    province        text,
    country         text,
    lon             double precision,
    lat             double precision,
    precision       text,
    geocode_source  text,
    h3              bigint,
    attrs           jsonb,
    content_hash    bigint
)
