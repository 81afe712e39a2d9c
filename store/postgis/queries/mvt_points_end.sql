        ORDER BY e.id
        LIMIT $11
    ) p
    -- the buffered tile exactly: the filter's && compares rounded boxes
    WHERE p.id >= 0 AND p.lon BETWEEN $5 AND $7 AND p.lat BETWEEN $6 AND $8
) t
WHERE t.geom IS NOT NULL
