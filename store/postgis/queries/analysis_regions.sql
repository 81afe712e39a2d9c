-- $1 is the version (0 = the current public analysis); '' $2 and NULL $4 do not filter.
SELECT level, code, sector, firms, employees, lq, lq_employed, stars, strong, suppressed,
    entries, exits, undated
FROM region_stats
WHERE version = (CASE WHEN $1::bigint = 0 THEN (SELECT version FROM analysis_current WHERE scope = 'public') ELSE $1 END)
  AND ($2::text = '' OR level = $2)
  AND sector = $3
  AND ($4::text[] IS NULL OR code = ANY ($4))
ORDER BY code, level
