SELECT id, sector, res, name, cells, ST_AsBinary(geom), firms, employees, lq, share,
    stars, suppressed, institutions_inside, institutions_near, roles_present, roles_missing,
    completeness, profile, name_tr, place, method, focus_firms, expected, p_value, llr, strong,
    composition, ecosystem
FROM clusters
WHERE version = (SELECT version FROM analysis_current) AND id = $1
