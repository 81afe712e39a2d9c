-- The parts of the cell blocks $4 (ascending) of version $1 (0 = current),
-- resolution $2 and sector $3, in block and part order, which is the order of
-- their cells: the cells around a tile's box, or the cells asked for. One index
-- scan of the primary key.
SELECT data
FROM cell_blocks
WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current) ELSE $1 END)
  AND res = $2
  AND sector = $3
  AND block = ANY ($4::bigint[])
ORDER BY block, part
