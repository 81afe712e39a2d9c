-- Makes {{next}} dataset {{dataset}}'s partition: drops the current one, if
-- any, attaches the next one (its CHECK constraint proves the bound, so there
-- is no scan) and gives it and its indexes the names of the current one.
-- Dropping a partition locks establishments exclusively until the commit, so
-- this runs last, right before the data version bump and the commit.
DROP TABLE IF EXISTS {{partition}};
ALTER TABLE establishments ATTACH PARTITION {{next}} FOR VALUES IN ({{dataset}});
ALTER TABLE {{next}} RENAME TO {{partition_name}};
ALTER INDEX {{next_id_idx}} RENAME TO {{partition_id_idx}};
ALTER INDEX {{next_source_key}} RENAME TO {{partition_source_key}};
ALTER INDEX {{next_band_idx}} RENAME TO {{partition_band_idx}}
