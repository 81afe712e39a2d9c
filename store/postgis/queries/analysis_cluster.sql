-- One cluster of version $1 (0 = the current public analysis) by id $2.
SELECT id, sector, res, name, cells, ST_AsBinary(geom), firms, employees, lq, share,
    stars, suppressed, institutions_inside, institutions_near, roles_present, roles_missing,
    completeness, profile, name_tr, place, method, focus_firms, expected, p_value, llr, strong,
    composition, ecosystem
FROM clusters
WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
  AND id = $2
