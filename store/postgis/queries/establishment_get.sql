WHERE e.id = $1
