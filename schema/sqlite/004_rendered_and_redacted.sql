-- Bodies are rendered to HTML once, when written, rather than on every read; and an event about
-- a post keeps, beside its payload, the payload as it reads once the post is hidden (its text
-- blanked), so that the record, the replay and the events page leave hidden text out by
-- choosing a column instead of rewriting JSON.
ALTER TABLE topics ADD COLUMN body_html TEXT;
ALTER TABLE posts ADD COLUMN body_html TEXT;
ALTER TABLE proposals ADD COLUMN body_html TEXT;

ALTER TABLE events ADD COLUMN post_id INTEGER REFERENCES posts (id);
ALTER TABLE events ADD COLUMN data_redacted TEXT;
UPDATE events SET post_id = json_extract(data, '$.id'),
    data_redacted = json_set(data, '$.body', '', '$.body_html', '')
    WHERE type IN ('post.created', 'post.edited');
CREATE INDEX events_post ON events (post_id) WHERE post_id IS NOT NULL;
