-- Every cell block of version $1 (0 = the current public analysis), resolution $2 and sector $3,
-- in cell order: the read of a whole resolution and sector, or of a tile too
-- wide to list its ranges.
SELECT data
FROM cell_blocks
WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
  AND res = $2
  AND sector = $3
ORDER BY cell
