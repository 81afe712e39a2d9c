-- Drops dataset {{dataset}}'s partition of establishments, if it has one.
DROP TABLE IF EXISTS {{partition}}
