-- Creates {{next}}, the next version of dataset {{dataset}}'s partition, as a
-- plain table without indexes; import_index_partition.sql indexes it and
-- import_swap_partition.sql attaches it. The columns are those of
-- establishments (migration 00003) in the same order. The CHECK constraint
-- lets ATTACH PARTITION skip its validating scan. The table is listed
-- explicitly rather than with LIKE establishments, which would lock the parent
-- table for the whole transaction.
CREATE TABLE {{next}} (
    id              bigint  NOT NULL DEFAULT nextval('establishments_id_seq'),
    dataset_id      bigint  NOT NULL CHECK (dataset_id = {{dataset}}),
    source_id       text    COLLATE "C" NOT NULL,
    name            text    NOT NULL,
    kind            text    NOT NULL,
    type            text    NOT NULL DEFAULT '',
    nace            text    NOT NULL DEFAULT '',
    employees_known boolean NOT NULL DEFAULT false,
    employees_low   integer NOT NULL DEFAULT 0,
    employees_high  integer NOT NULL DEFAULT 0,
    founded         timestamptz,
    closed          timestamptz,
    street          text    NOT NULL DEFAULT '',
    postcode        text    NOT NULL DEFAULT '',
    district        text    NOT NULL DEFAULT '',
    province        text    NOT NULL DEFAULT '',
    country         text    NOT NULL DEFAULT '',
    lon             double precision NOT NULL,
    lat             double precision NOT NULL,
    precision       text    NOT NULL DEFAULT '',
    geocode_source  text    NOT NULL DEFAULT '',
    h3              bigint,
    attrs           jsonb,
    content_hash    bigint  NOT NULL
)
