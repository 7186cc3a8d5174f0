CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    organisation  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE councils (
    id           BIGSERIAL PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    constituency TEXT NOT NULL CHECK (constituency IN ('citizens', 'ngos', 'business', 'mixed')),
    last_seq     BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    council_id BIGINT NOT NULL REFERENCES councils (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('member', 'moderator')),
    grp        TEXT NOT NULL CHECK (grp IN ('citizen', 'ngo', 'business')),
    joined_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (council_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id           BIGSERIAL PRIMARY KEY,
    council_id   BIGINT NOT NULL REFERENCES councils (id),
    token_hash   TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'moderator')),
    grp          TEXT NOT NULL CHECK (grp IN ('citizen', 'ngo', 'business')),
    organisation TEXT NOT NULL DEFAULT '',
    invited_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);

CREATE TABLE rounds (
    id              BIGSERIAL PRIMARY KEY,
    council_id      BIGINT NOT NULL REFERENCES councils (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    ballot          TEXT NOT NULL CHECK (ballot IN ('open', 'secret')),
    quorum_percent  INTEGER NOT NULL CHECK (quorum_percent BETWEEN 0 AND 100),
    closes_at       TIMESTAMPTZ,
    opened_at       TIMESTAMPTZ,
    closed_at       TIMESTAMPTZ,
    outcome_summary TEXT NOT NULL DEFAULT '',
    results         TEXT,
    record_sha256   TEXT,
    search_text     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX rounds_council ON rounds (council_id);
CREATE INDEX rounds_due ON rounds (closes_at) WHERE status = 'open';
CREATE INDEX rounds_closed ON rounds (closed_at DESC) WHERE status = 'closed';
CREATE INDEX rounds_search ON rounds USING GIN (to_tsvector('simple', search_text));

CREATE TABLE round_records (
    round_id BIGINT PRIMARY KEY REFERENCES rounds (id),
    body     BYTEA NOT NULL,
    sha256   TEXT NOT NULL
);

CREATE TABLE round_participants (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    user_id  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE topics (
    id         BIGSERIAL PRIMARY KEY,
    round_id   BIGINT NOT NULL REFERENCES rounds (id),
    author_id  BIGINT NOT NULL REFERENCES users (id),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX topics_round ON topics (round_id);

CREATE TABLE posts (
    id            BIGSERIAL PRIMARY KEY,
    topic_id      BIGINT NOT NULL REFERENCES topics (id),
    reply_to      BIGINT REFERENCES posts (id),
    author_id     BIGINT NOT NULL REFERENCES users (id),
    body          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    edited_at     TIMESTAMPTZ,
    hidden        BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_reason TEXT NOT NULL DEFAULT '',
    hidden_by     BIGINT REFERENCES users (id)
);
CREATE INDEX posts_topic ON posts (topic_id, id);

CREATE TABLE post_versions (
    id         BIGSERIAL PRIMARY KEY,
    post_id    BIGINT NOT NULL REFERENCES posts (id),
    body       TEXT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX post_versions_post ON post_versions (post_id);

CREATE TABLE proposals (
    id            BIGSERIAL PRIMARY KEY,
    round_id      BIGINT NOT NULL REFERENCES rounds (id),
    topic_id      BIGINT REFERENCES topics (id),
    author_id     BIGINT NOT NULL REFERENCES users (id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    votes_for     INTEGER NOT NULL DEFAULT 0,
    votes_against INTEGER NOT NULL DEFAULT 0,
    votes_abstain INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX proposals_round ON proposals (round_id);

CREATE TABLE votes (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    choice      TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);

CREATE TABLE events (
    council_id BIGINT NOT NULL REFERENCES councils (id),
    seq        BIGINT NOT NULL,
    round_id   BIGINT REFERENCES rounds (id),
    type       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   BIGINT REFERENCES users (id),
    actor_name TEXT,
    data       TEXT NOT NULL,
    PRIMARY KEY (council_id, seq)
);
CREATE INDEX events_round ON events (round_id, seq);

CREATE TABLE login_failures (
    key        TEXT NOT NULL,
    failed_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
