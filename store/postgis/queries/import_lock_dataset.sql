SELECT establishment_count FROM datasets WHERE id = $1 FOR NO KEY UPDATE
