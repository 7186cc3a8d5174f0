-- The lists that grow with time are read a page at a time, and the archive's search is indexed,
-- so that neither costs more as the archive grows.

-- A council's rounds, newest first, a page at a time (the status is in the index so that the
-- rounds a visitor may not see are skipped without reading the table).
CREATE INDEX rounds_council_created ON rounds (council_id, created_at DESC, id DESC, status);
-- The archive, newest first.
CREATE INDEX rounds_closed_order ON rounds (closed_at DESC, id DESC) WHERE status = 'closed';

-- The archive's search: a trigram index of each round's search text (lower-case already). A
-- search reads, for each word, the rounds holding its rarest trigram, and checks the word in
-- those alone: it finds a word inside other text, as it always did, without reading every
-- round.
-- External content: the text stays only in rounds; the triggers keep the index in step with
-- every write to it, in the writing transaction.
CREATE VIRTUAL TABLE rounds_search USING fts5(search_text, content = 'rounds', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO rounds_search (rounds_search) VALUES ('rebuild');

CREATE TRIGGER rounds_search_insert AFTER INSERT ON rounds BEGIN
    INSERT INTO rounds_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER rounds_search_delete AFTER DELETE ON rounds BEGIN
    INSERT INTO rounds_search (rounds_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER rounds_search_update AFTER UPDATE OF search_text ON rounds BEGIN
    INSERT INTO rounds_search (rounds_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO rounds_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
