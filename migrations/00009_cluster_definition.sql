-- Clusters are delineated by a specialisation test (docs/METHODS.md,
-- "Clusters"): each cluster now carries its names in Turkish and the place
-- it lies in, the test that made it (method, the firms of the tested
-- activity observed and expected, the largest p-value of its cells and
-- Kulldorff's log-likelihood ratio), the U.S. Cluster Mapping Project strong
-- flag, its composition by NACE code and its ecosystem of supporting actors.
-- Region statistics count the firms of unknown founding date, so that no
-- growth is claimed from incomplete dates. Rows of earlier versions keep the
-- defaults.

-- +goose Up
ALTER TABLE clusters
    ADD COLUMN name_tr     text             NOT NULL DEFAULT '',
    ADD COLUMN place       text             NOT NULL DEFAULT '',
    ADD COLUMN method      text             NOT NULL DEFAULT '',
    ADD COLUMN focus_firms integer          NOT NULL DEFAULT 0,
    ADD COLUMN expected    double precision NOT NULL DEFAULT 0,
    ADD COLUMN p_value     double precision,
    ADD COLUMN llr         double precision NOT NULL DEFAULT 0,
    ADD COLUMN strong      boolean          NOT NULL DEFAULT false,
    ADD COLUMN composition json,
    ADD COLUMN ecosystem   json;
ALTER TABLE region_stats
    ADD COLUMN undated integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE region_stats
    DROP COLUMN undated;
ALTER TABLE clusters
    DROP COLUMN name_tr,
    DROP COLUMN place,
    DROP COLUMN method,
    DROP COLUMN focus_firms,
    DROP COLUMN expected,
    DROP COLUMN p_value,
    DROP COLUMN llr,
    DROP COLUMN strong,
    DROP COLUMN composition,
    DROP COLUMN ecosystem;
