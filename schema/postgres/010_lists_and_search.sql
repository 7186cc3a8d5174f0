-- The lists that grow with time are read a page at a time, so that neither they nor the
-- archive's search cost more as the archive grows. The search keeps its GIN full-text index
-- (001); the archive's order and a council's rounds get indexes that serve a page directly.

-- A council's rounds, newest first, a page at a time (the status is in the index so that the
-- rounds a visitor may not see are skipped without reading the table).
CREATE INDEX rounds_council_created ON rounds (council_id, created_at DESC, id DESC, status);
-- The archive, newest first.
CREATE INDEX rounds_closed_order ON rounds (closed_at DESC, id DESC) WHERE status = 'closed';

-- The archive's search: the full-text vector of each round's search text is kept beside it
-- (the database computes it on every write of the text, the backfill included), so that a
-- search neither recomputes it for every round it looks at nor depends on the planner
-- choosing the expression index; the search itself (whole words, simple configuration) is
-- unchanged.
ALTER TABLE rounds ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX rounds_search_tsv ON rounds USING GIN (search_tsv);
DROP INDEX rounds_search;
