-- The cells a hexagon tile shows: only the columns of the tile's properties,
-- for the cells whose centre (lon, lat) lies in the box $6..$9. $4 and $5 are
-- ranges of cell indexes (the descendants at resolution $2 of coarser cells
-- around the box), so that the primary key reads only the cells near the tile:
-- neither every cell of the sector nor, through the GiST index on geom, the
-- cells of every sector and resolution in the box. Bounds are parameters, so
-- the plan is the same for every tile. $1 is the version (0 = current).
SELECT c.cell, c.firms, c.employees, c.imprecise, c.lq, c.gi_z, c.gi_p, c.gi_bin, c.suppressed
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
ORDER BY c.cell
