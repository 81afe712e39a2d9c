-- The current PostGIS schema of kume: every migration applied to a fresh
-- database and dumped with pg_dump --schema-only (normalised). Read it here;
-- change the schema with a new migration, then run
-- go test ./migrations -run TestSchemaDump -update

CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;

COMMENT ON EXTENSION postgis IS 'PostGIS geometry and geography spatial types and functions';

CREATE FUNCTION public.cell_block_cells(data bytea) RETURNS TABLE(cell bigint, lon double precision, lat double precision, firms integer, closed integer, employees double precision, employees_estimated double precision, imprecise integer, lq double precision, gi_z double precision, gi_p double precision, gi_bin smallint, suppressed boolean, institutions jsonb)
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
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

CREATE FUNCTION public.cell_block_float8(b bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
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

CREATE TABLE public.analysis_current (
    version bigint NOT NULL,
    scope text NOT NULL
);

CREATE TABLE public.analysis_runs (
    version bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    params json,
    scope text DEFAULT 'public'::text NOT NULL,
    datasets jsonb,
    omitted jsonb
);

CREATE TABLE public.api_key_grants (
    key_id bigint NOT NULL,
    dataset_id bigint NOT NULL,
    access text NOT NULL,
    CONSTRAINT api_key_grants_access_check CHECK ((access = ANY (ARRAY['read'::text, 'write'::text])))
);

CREATE TABLE public.api_keys (
    id bigint NOT NULL,
    name text NOT NULL,
    scope text NOT NULL,
    hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_scope_check CHECK ((scope = ANY (ARRAY['read'::text, 'write'::text, 'admin'::text])))
);

ALTER TABLE public.api_keys ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.api_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.cell_blocks (
    version bigint NOT NULL,
    res smallint NOT NULL,
    sector text NOT NULL,
    cell bigint NOT NULL,
    data bytea NOT NULL
)
PARTITION BY LIST (version);
ALTER TABLE ONLY public.cell_blocks ALTER COLUMN data SET STORAGE MAIN;

CREATE VIEW public.cell_stats AS
 SELECT b.version,
    b.res,
    b.sector,
    c.cell,
    c.lon,
    c.lat,
    c.firms,
    c.closed,
    c.employees,
    c.employees_estimated,
    c.imprecise,
    c.lq,
    c.gi_z,
    c.gi_p,
    c.gi_bin,
    c.suppressed,
    c.institutions
   FROM (public.cell_blocks b
     CROSS JOIN LATERAL public.cell_block_cells(b.data) c(cell, lon, lat, firms, closed, employees, employees_estimated, imprecise, lq, gi_z, gi_p, gi_bin, suppressed, institutions));

CREATE TABLE public.clusters (
    version bigint NOT NULL,
    id text NOT NULL,
    sector text NOT NULL,
    res smallint NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    cells bigint[] NOT NULL,
    geom public.geometry(MultiPolygon,4326) NOT NULL,
    firms integer NOT NULL,
    employees double precision NOT NULL,
    lq double precision,
    share double precision NOT NULL,
    stars smallint NOT NULL,
    suppressed boolean NOT NULL,
    institutions_inside jsonb,
    institutions_near jsonb,
    roles_present text[],
    roles_missing text[],
    completeness double precision,
    profile json,
    name_tr text DEFAULT ''::text NOT NULL,
    place text DEFAULT ''::text NOT NULL,
    method text DEFAULT ''::text NOT NULL,
    focus_firms integer DEFAULT 0 NOT NULL,
    expected double precision DEFAULT 0 NOT NULL,
    p_value double precision,
    llr double precision DEFAULT 0 NOT NULL,
    strong boolean DEFAULT false NOT NULL,
    composition json,
    ecosystem json
);

CREATE TABLE public.data_version (
    singleton boolean DEFAULT true NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT data_version_singleton_check CHECK (singleton)
);

CREATE TABLE public.datasets (
    id bigint NOT NULL,
    name text NOT NULL,
    source text DEFAULT ''::text NOT NULL,
    licence text DEFAULT ''::text NOT NULL,
    attribution text DEFAULT ''::text NOT NULL,
    visibility text DEFAULT 'public'::text NOT NULL,
    imported_at timestamp with time zone,
    establishment_count bigint DEFAULT 0 NOT NULL,
    CONSTRAINT datasets_visibility_check CHECK ((visibility = ANY (ARRAY['public'::text, 'private'::text])))
);

ALTER TABLE public.datasets ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.datasets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.establishments (
    id bigint NOT NULL,
    dataset_id bigint NOT NULL,
    source_id text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    kind text NOT NULL,
    type text DEFAULT ''::text NOT NULL,
    nace text DEFAULT ''::text NOT NULL,
    employees_known boolean DEFAULT false NOT NULL,
    employees_low integer DEFAULT 0 NOT NULL,
    employees_high integer DEFAULT 0 NOT NULL,
    founded timestamp with time zone,
    closed timestamp with time zone,
    street text DEFAULT ''::text NOT NULL,
    postcode text DEFAULT ''::text NOT NULL,
    district text DEFAULT ''::text NOT NULL,
    province text DEFAULT ''::text NOT NULL,
    country text DEFAULT ''::text NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    "precision" text DEFAULT ''::text NOT NULL,
    geocode_source text DEFAULT ''::text NOT NULL,
    h3 bigint,
    attrs jsonb,
    content_hash bigint NOT NULL
)
PARTITION BY LIST (dataset_id);

CREATE SEQUENCE public.establishments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1000;

ALTER SEQUENCE public.establishments_id_seq OWNED BY public.establishments.id;

CREATE TABLE public.jobs (
    id text NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    owner bigint DEFAULT 0 NOT NULL,
    dataset_id bigint DEFAULT 0 NOT NULL,
    options jsonb,
    progress jsonb,
    result jsonb,
    error_code text,
    error_message text,
    rejects bytea,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT jobs_id_check CHECK ((id ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT jobs_kind_check CHECK ((kind = ANY (ARRAY['import'::text, 'analysis'::text]))),
    CONSTRAINT jobs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text])))
);

CREATE TABLE public.region_stats (
    version bigint NOT NULL,
    level text NOT NULL,
    code text NOT NULL,
    sector text NOT NULL,
    firms integer NOT NULL,
    employees double precision NOT NULL,
    lq double precision,
    lq_employed double precision,
    stars smallint NOT NULL,
    strong boolean NOT NULL,
    suppressed boolean NOT NULL,
    entries integer NOT NULL,
    exits integer NOT NULL,
    undated integer DEFAULT 0 NOT NULL
);

CREATE TABLE public.regions (
    id bigint NOT NULL,
    level text NOT NULL,
    code text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    parent text DEFAULT ''::text NOT NULL,
    geom public.geometry(MultiPolygon,4326) NOT NULL,
    attrs jsonb
);

ALTER TABLE public.regions ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.regions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.value_chains (
    id text NOT NULL,
    definition jsonb NOT NULL
);

ALTER TABLE ONLY public.establishments ALTER COLUMN id SET DEFAULT nextval('public.establishments_id_seq'::regclass);

ALTER TABLE ONLY public.analysis_current
    ADD CONSTRAINT analysis_current_pkey PRIMARY KEY (scope);

ALTER TABLE ONLY public.analysis_runs
    ADD CONSTRAINT analysis_runs_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.api_key_grants
    ADD CONSTRAINT api_key_grants_pkey PRIMARY KEY (key_id, dataset_id);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_hash_key UNIQUE (hash);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.cell_blocks
    ADD CONSTRAINT cell_blocks_pkey PRIMARY KEY (version, res, sector, cell);

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_pkey PRIMARY KEY (version, id);

ALTER TABLE ONLY public.data_version
    ADD CONSTRAINT data_version_pkey PRIMARY KEY (singleton);

ALTER TABLE ONLY public.datasets
    ADD CONSTRAINT datasets_name_key UNIQUE (name);

ALTER TABLE ONLY public.datasets
    ADD CONSTRAINT datasets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.region_stats
    ADD CONSTRAINT region_stats_pkey PRIMARY KEY (version, level, sector, code);

ALTER TABLE ONLY public.regions
    ADD CONSTRAINT regions_level_code_key UNIQUE (level, code);

ALTER TABLE ONLY public.regions
    ADD CONSTRAINT regions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.value_chains
    ADD CONSTRAINT value_chains_pkey PRIMARY KEY (id);

CREATE INDEX api_key_grants_dataset ON public.api_key_grants USING btree (dataset_id);

CREATE INDEX clusters_geom_idx ON public.clusters USING gist (geom);

CREATE INDEX clusters_version_sector_res_idx ON public.clusters USING btree (version, sector, res);

CREATE INDEX establishments_band_idx ON ONLY public.establishments USING btree (((floor((lat * (100)::double precision)))::integer), lon);

CREATE UNIQUE INDEX establishments_dataset_source_key ON ONLY public.establishments USING btree (source_id, dataset_id);

CREATE INDEX establishments_id_idx ON ONLY public.establishments USING btree (id);

CREATE INDEX jobs_created ON public.jobs USING btree (created_at DESC, id DESC);

CREATE INDEX jobs_finished ON public.jobs USING btree (finished_at) WHERE (finished_at IS NOT NULL);

CREATE INDEX regions_geom_idx ON public.regions USING gist (geom);

ALTER TABLE ONLY public.analysis_current
    ADD CONSTRAINT analysis_current_version_fkey FOREIGN KEY (version) REFERENCES public.analysis_runs(version);

ALTER TABLE ONLY public.api_key_grants
    ADD CONSTRAINT api_key_grants_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES public.datasets(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.api_key_grants
    ADD CONSTRAINT api_key_grants_key_id_fkey FOREIGN KEY (key_id) REFERENCES public.api_keys(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_version_fkey FOREIGN KEY (version) REFERENCES public.analysis_runs(version) ON DELETE CASCADE;

ALTER TABLE ONLY public.region_stats
    ADD CONSTRAINT region_stats_version_fkey FOREIGN KEY (version) REFERENCES public.analysis_runs(version) ON DELETE CASCADE;
