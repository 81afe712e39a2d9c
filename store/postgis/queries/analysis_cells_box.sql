-- The cells whose centre (lon, lat) lies in the box $6..$9; $10, when not
-- NULL, the cells to return. $4 and $5 are ranges of cell indexes (the
-- descendants at resolution $2 of coarser cells around the box), so that the
-- primary key reads only the cells near the box, not every cell of the
-- sector. Bounds are parameters, so the plan is the same for every box. $1 is
-- the version (0 = current).
SELECT c.res, c.cell, c.sector, c.firms, c.closed, c.employees, c.employees_estimated, c.imprecise,
    c.lq, c.gi_z, c.gi_p, c.gi_bin, c.suppressed, c.institutions
FROM unnest($4::bigint[], $5::bigint[]) AS r (lo, hi)
CROSS JOIN LATERAL (
    SELECT * FROM cell_stats
    WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current) ELSE $1 END)
      AND res = $2
      AND sector = $3
      AND cell BETWEEN r.lo AND r.hi
    OFFSET 0 -- a fence: read each range through the primary key
) c
WHERE c.lon BETWEEN $6 AND $8 AND c.lat BETWEEN $7 AND $9
  AND ($10::bigint[] IS NULL OR c.cell = ANY ($10))
ORDER BY c.cell
