-- The anti-join of import_close_absent must not become a nested loop: right
-- after a large import the planner's row estimate for the dataset is stale
-- (often 1), and a nested loop over the staged rows is then quadratic. The
-- setting lasts until the import transaction ends.
SET LOCAL enable_nestloop = off
