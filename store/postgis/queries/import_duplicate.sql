SELECT source_id FROM import_stage GROUP BY source_id HAVING count(*) > 1 LIMIT 1
