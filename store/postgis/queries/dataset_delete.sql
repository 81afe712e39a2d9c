DELETE FROM datasets WHERE id = $1
