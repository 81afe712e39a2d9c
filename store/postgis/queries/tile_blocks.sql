-- The cell blocks of version $1 (0 = the current public analysis), resolution $2 and sector $3
-- that may hold cells of the inclusive index ranges [$4[i], $5[i]] (ascending,
-- disjoint), in cell order: for each range, the block that begins before it
-- (it may run into the range) and the blocks that begin in it, each block
-- once. The cells around a tile's box, or the cells asked for. Two short index
-- scans of the primary key per range.
SELECT data
FROM (
    SELECT DISTINCT ON (b.cell) b.cell, b.data
    FROM unnest($4::bigint[], $5::bigint[]) AS r (lo, hi)
    CROSS JOIN LATERAL (
        (SELECT cell, data FROM cell_blocks
         WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
           AND res = $2 AND sector = $3 AND cell < r.lo
         ORDER BY cell DESC LIMIT 1)
        UNION ALL
        (SELECT cell, data FROM cell_blocks
         WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
           AND res = $2 AND sector = $3 AND cell BETWEEN r.lo AND r.hi)
    ) AS b
    ORDER BY b.cell
) AS blocks
ORDER BY cell
