        ORDER BY e.id
        LIMIT $14
    ) p
    -- the buffered tile, as the filter above (a no-op kept as a guard)
    WHERE p.id >= 0 AND p.lon BETWEEN $5 AND $7 AND p.lat BETWEEN $6 AND $8
) t
WHERE t.geom IS NOT NULL
