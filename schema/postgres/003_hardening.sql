-- Hardening: tallies hidden until close, a bound on a round's text, the record rendered after
-- the close outside the council lock (with a compressed copy), and indexes for per-member
-- write rates.
ALTER TABLE rounds ADD COLUMN results_visibility TEXT NOT NULL DEFAULT 'live'
    CHECK (results_visibility IN ('live', 'after_close'));
UPDATE rounds SET results_visibility = 'after_close' WHERE ballot = 'secret';
ALTER TABLE rounds ADD COLUMN text_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE rounds SET text_bytes =
      COALESCE((SELECT SUM(octet_length(title) + octet_length(body)) FROM topics t WHERE t.round_id = rounds.id), 0)
    + COALESCE((SELECT SUM(octet_length(p.body)) FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.round_id = rounds.id), 0)
    + COALESCE((SELECT SUM(octet_length(v.body)) FROM post_versions v JOIN posts p ON p.id = v.post_id
                JOIN topics t ON t.id = p.topic_id WHERE t.round_id = rounds.id), 0)
    + COALESCE((SELECT SUM(octet_length(title) + octet_length(body)) FROM proposals pr WHERE pr.round_id = rounds.id), 0);
ALTER TABLE rounds ADD COLUMN closed_seq BIGINT;
UPDATE rounds SET closed_seq = (SELECT MAX(e.seq) FROM events e WHERE e.round_id = rounds.id AND e.type = 'round.closed')
    WHERE status = 'closed';
ALTER TABLE round_records ADD COLUMN body_gzip BYTEA;

CREATE INDEX topics_author ON topics (author_id, created_at);
CREATE INDEX posts_author ON posts (author_id, created_at);
CREATE INDEX proposals_author ON proposals (author_id, created_at);
CREATE INDEX rounds_unrecorded ON rounds (id) WHERE status = 'closed' AND record_sha256 IS NULL;
