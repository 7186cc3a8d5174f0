-- The accountability loop: municipal officers, the municipality's administrative services,
-- residents' signals with their answers and their routes into councils, a general throttle
-- for anonymous writes, and the follow-up of adopted proposals.

-- Officers (municipal staff) are a site role beside admins and users. SQLite cannot alter a
-- CHECK constraint, and rebuilding users would touch every table that refers to it (and, with
-- foreign keys on, cascade into sessions): the constraint's text is edited in place, as
-- SQLite's documentation describes for loosening a constraint. The tables created below
-- change the schema cookie, so every connection reloads the schema; the guard fails the
-- migration should the text not be found.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (role IN (''admin'', ''user''))', 'CHECK (role IN (''admin'', ''officer'', ''user''))')
    WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE officer_role_guard (found INTEGER NOT NULL CHECK (found = 1));
INSERT INTO officer_role_guard SELECT instr(sql, '''officer''') > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'users';
DROP TABLE officer_role_guard;

CREATE TABLE services (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL
);

-- A signal keeps only the SHA-256 of its tracking code; its sender's name and email are for
-- officers and answers alone, never published.
CREATE TABLE signals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_hash   TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('complaint', 'signal', 'proposal', 'praise')),
    service_id      INTEGER NOT NULL REFERENCES services (id),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    sender_name     TEXT NOT NULL DEFAULT '',
    sender_email    TEXT NOT NULL DEFAULT '',
    sender_lang     TEXT NOT NULL DEFAULT 'bg',
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('received', 'in_review', 'answered', 'forwarded', 'resolved', 'rejected')),
    search_text     TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    first_answer_at DATETIME,
    published_at    DATETIME,
    published_by    INTEGER REFERENCES users (id)
);
CREATE INDEX signals_created ON signals (created_at);
CREATE INDEX signals_status ON signals (status, id);
CREATE INDEX signals_published ON signals (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE signal_answers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    signal_id  INTEGER NOT NULL REFERENCES signals (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('in_review', 'answered', 'forwarded', 'resolved', 'rejected')),
    public     INTEGER NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX signal_answers_signal ON signal_answers (signal_id, id);

-- A signal routed to a council becomes a topic of its open or draft round; without one it
-- waits (topic_id NULL) with the topic's text for the council's next round.
CREATE TABLE signal_routes (
    signal_id   INTEGER NOT NULL REFERENCES signals (id),
    council_id  INTEGER NOT NULL REFERENCES councils (id),
    round_id    INTEGER REFERENCES rounds (id),
    topic_id    INTEGER REFERENCES topics (id),
    topic_title TEXT NOT NULL,
    topic_body  TEXT NOT NULL,
    routed_by   INTEGER NOT NULL REFERENCES users (id),
    routed_at   DATETIME NOT NULL,
    placed_at   DATETIME,
    PRIMARY KEY (signal_id, council_id)
);
CREATE INDEX signal_routes_pending ON signal_routes (council_id) WHERE topic_id IS NULL;
CREATE INDEX signal_routes_topic ON signal_routes (topic_id);

-- Recent writes by anonymous clients, counted per scope and hashed key (a client address),
-- never the address itself.
CREATE TABLE throttle_hits (
    scope   TEXT NOT NULL,
    key     TEXT NOT NULL,
    at      DATETIME NOT NULL,
    attempt TEXT NOT NULL
);
CREATE INDEX throttle_hits_key ON throttle_hits (scope, key, at);
CREATE INDEX throttle_hits_at ON throttle_hits (scope, at);
CREATE INDEX throttle_hits_attempt ON throttle_hits (attempt);

-- The municipality's follow-up of an adopted proposal; each is also a followup.added event
-- in the council's record (seq), after the round's close.
CREATE TABLE follow_ups (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id      INTEGER NOT NULL REFERENCES proposals (id),
    round_id         INTEGER NOT NULL REFERENCES rounds (id),
    council_id       INTEGER NOT NULL REFERENCES councils (id),
    status           TEXT NOT NULL CHECK (status IN ('accepted', 'partly_accepted', 'rejected', 'planned', 'in_progress', 'done')),
    body             TEXT NOT NULL,
    responsible_unit TEXT NOT NULL DEFAULT '',
    due_date         TEXT NOT NULL DEFAULT '',
    author_id        INTEGER NOT NULL REFERENCES users (id),
    created_at       DATETIME NOT NULL,
    seq              INTEGER NOT NULL
);
CREATE INDEX follow_ups_proposal ON follow_ups (proposal_id, id);
CREATE INDEX follow_ups_council ON follow_ups (council_id, id);
