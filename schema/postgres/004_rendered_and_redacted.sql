-- Bodies are rendered to HTML once, when written, rather than on every read; and an event about
-- a post keeps, beside its payload, the payload as it reads once the post is hidden (its text
-- blanked), so that the record, the replay and the events page leave hidden text out by
-- choosing a column instead of rewriting JSON.
ALTER TABLE topics ADD COLUMN body_html TEXT;
ALTER TABLE posts ADD COLUMN body_html TEXT;
ALTER TABLE proposals ADD COLUMN body_html TEXT;

ALTER TABLE events ADD COLUMN post_id BIGINT REFERENCES posts (id);
ALTER TABLE events ADD COLUMN data_redacted TEXT;
UPDATE events SET post_id = (data::jsonb ->> 'id')::bigint,
    data_redacted = (data::jsonb || '{"body": "", "body_html": ""}'::jsonb)::text
    WHERE type IN ('post.created', 'post.edited');
CREATE INDEX events_post ON events (post_id) WHERE post_id IS NOT NULL;
