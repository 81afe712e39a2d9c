-- Establishment ids come from their sequence 1,000 at a time per session
-- instead of one: a bulk import calls nextval() once per row, and a cached
-- sequence answers from the session's memory (about 0.3 s less server CPU per
-- million rows here). Ids stay unique; a session that ends leaves the unused
-- rest of its block as a gap, and concurrent imports take interleaved blocks,
-- so ids do not follow commit order (nothing relies on that: ids are keys and
-- the order of pages).

-- +goose Up
ALTER SEQUENCE establishments_id_seq CACHE 1000;

-- +goose Down
ALTER SEQUENCE establishments_id_seq CACHE 1;
