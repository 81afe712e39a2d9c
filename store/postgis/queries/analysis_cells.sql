-- $1 is the version (0 = current); $4, when not NULL, the cells to return.
SELECT res, cell, sector, firms, closed, employees, employees_estimated, imprecise,
    lq, gi_z, gi_p, gi_bin, suppressed, institutions
FROM cell_stats
WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current) ELSE $1 END)
  AND res = $2
  AND sector = $3
  AND ($4::bigint[] IS NULL OR cell = ANY ($4))
ORDER BY cell
