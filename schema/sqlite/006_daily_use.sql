-- Daily use: councils archived or with open rounds public, a reason beside an open vote,
-- proposals edited or withdrawn by their authors, posts deleted by theirs, and the outcomes a
-- closed round reached kept where the archive can filter by them.
ALTER TABLE councils ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE councils ADD COLUMN open_rounds_public INTEGER NOT NULL DEFAULT 0;
ALTER TABLE votes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN edited_at DATETIME;
ALTER TABLE proposals ADD COLUMN withdrawn_at DATETIME;
ALTER TABLE posts ADD COLUMN deleted_at DATETIME;
ALTER TABLE rounds ADD COLUMN outcomes TEXT NOT NULL DEFAULT '';
UPDATE rounds SET outcomes = COALESCE((
    SELECT ',' || group_concat(o, ',') || ','
    FROM (SELECT DISTINCT json_extract(value, '$.outcome') AS o FROM json_each(rounds.results))), '')
    WHERE status = 'closed' AND results IS NOT NULL AND results <> '' AND results <> 'null';
-- A post's number in its topic (1, 2, …), as people cite it; its id stays its address.
ALTER TABLE posts ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE posts SET number = (SELECT COUNT(*) FROM posts p2 WHERE p2.topic_id = posts.topic_id AND p2.id <= posts.id);
