SELECT level, code, name, parent, ST_AsBinary(geom), attrs
FROM regions
WHERE level = $1 AND code = $2
