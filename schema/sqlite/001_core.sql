CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    organisation  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    created_at    DATETIME NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE councils (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    constituency TEXT NOT NULL CHECK (constituency IN ('citizens', 'ngos', 'business', 'mixed')),
    last_seq     INTEGER NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL
);

CREATE TABLE memberships (
    council_id INTEGER NOT NULL REFERENCES councils (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('member', 'moderator')),
    grp        TEXT NOT NULL CHECK (grp IN ('citizen', 'ngo', 'business')),
    joined_at  DATETIME NOT NULL,
    PRIMARY KEY (council_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    council_id   INTEGER NOT NULL REFERENCES councils (id),
    token_hash   TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'moderator')),
    grp          TEXT NOT NULL CHECK (grp IN ('citizen', 'ngo', 'business')),
    organisation TEXT NOT NULL DEFAULT '',
    invited_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    used_at      DATETIME
);

CREATE TABLE rounds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    council_id      INTEGER NOT NULL REFERENCES councils (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    ballot          TEXT NOT NULL CHECK (ballot IN ('open', 'secret')),
    quorum_percent  INTEGER NOT NULL CHECK (quorum_percent BETWEEN 0 AND 100),
    closes_at       DATETIME,
    opened_at       DATETIME,
    closed_at       DATETIME,
    outcome_summary TEXT NOT NULL DEFAULT '',
    results         TEXT,
    record_sha256   TEXT,
    search_text     TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL
);
CREATE INDEX rounds_council ON rounds (council_id);
CREATE INDEX rounds_due ON rounds (closes_at) WHERE status = 'open';
CREATE INDEX rounds_closed ON rounds (closed_at) WHERE status = 'closed';

CREATE TABLE round_records (
    round_id INTEGER PRIMARY KEY REFERENCES rounds (id),
    body     BLOB NOT NULL,
    sha256   TEXT NOT NULL
);

CREATE TABLE round_participants (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE topics (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER NOT NULL REFERENCES rounds (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX topics_round ON topics (round_id);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id      INTEGER NOT NULL REFERENCES topics (id),
    reply_to      INTEGER REFERENCES posts (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    body          TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    edited_at     DATETIME,
    hidden        INTEGER NOT NULL DEFAULT 0,
    hidden_reason TEXT NOT NULL DEFAULT '',
    hidden_by     INTEGER REFERENCES users (id)
);
CREATE INDEX posts_topic ON posts (topic_id, id);

CREATE TABLE post_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    body       TEXT NOT NULL,
    written_at DATETIME NOT NULL
);
CREATE INDEX post_versions_post ON post_versions (post_id);

CREATE TABLE proposals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER NOT NULL REFERENCES rounds (id),
    topic_id      INTEGER REFERENCES topics (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    votes_for     INTEGER NOT NULL DEFAULT 0,
    votes_against INTEGER NOT NULL DEFAULT 0,
    votes_abstain INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX proposals_round ON proposals (round_id);

CREATE TABLE votes (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    choice      TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at     DATETIME NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);

CREATE TABLE events (
    council_id INTEGER NOT NULL REFERENCES councils (id),
    seq        INTEGER NOT NULL,
    round_id   INTEGER REFERENCES rounds (id),
    type       TEXT NOT NULL,
    at         DATETIME NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    actor_name TEXT,
    data       TEXT NOT NULL,
    PRIMARY KEY (council_id, seq)
);
CREATE INDEX events_round ON events (round_id, seq);

CREATE TABLE login_failures (
    key        TEXT NOT NULL,
    failed_at  DATETIME NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
