DELETE FROM value_chains WHERE id = $1
