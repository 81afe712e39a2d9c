SELECT definition FROM value_chains ORDER BY id
