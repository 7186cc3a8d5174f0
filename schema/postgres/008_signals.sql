-- The accountability loop: municipal officers, the municipality's administrative services,
-- residents' signals with their answers and their routes into councils, a general throttle
-- for anonymous writes, and the follow-up of adopted proposals.

-- Officers (municipal staff) are a site role beside admins and users.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'officer', 'user'));

CREATE TABLE services (
    id         BIGSERIAL PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

-- A signal keeps only the SHA-256 of its tracking code; its sender's name and email are for
-- officers and answers alone, never published.
CREATE TABLE signals (
    id              BIGSERIAL PRIMARY KEY,
    tracking_hash   TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('complaint', 'signal', 'proposal', 'praise')),
    service_id      BIGINT NOT NULL REFERENCES services (id),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    sender_name     TEXT NOT NULL DEFAULT '',
    sender_email    TEXT NOT NULL DEFAULT '',
    sender_lang     TEXT NOT NULL DEFAULT 'bg',
    user_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('received', 'in_review', 'answered', 'forwarded', 'resolved', 'rejected')),
    search_text     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    first_answer_at TIMESTAMPTZ,
    published_at    TIMESTAMPTZ,
    published_by    BIGINT REFERENCES users (id)
);
CREATE INDEX signals_created ON signals (created_at);
CREATE INDEX signals_status ON signals (status, id);
CREATE INDEX signals_published ON signals (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE signal_answers (
    id         BIGSERIAL PRIMARY KEY,
    signal_id  BIGINT NOT NULL REFERENCES signals (id),
    author_id  BIGINT NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('in_review', 'answered', 'forwarded', 'resolved', 'rejected')),
    public     BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signal_answers_signal ON signal_answers (signal_id, id);

-- A signal routed to a council becomes a topic of its open or draft round; without one it
-- waits (topic_id NULL) with the topic's text for the council's next round.
CREATE TABLE signal_routes (
    signal_id   BIGINT NOT NULL REFERENCES signals (id),
    council_id  BIGINT NOT NULL REFERENCES councils (id),
    round_id    BIGINT REFERENCES rounds (id),
    topic_id    BIGINT REFERENCES topics (id),
    topic_title TEXT NOT NULL,
    topic_body  TEXT NOT NULL,
    routed_by   BIGINT NOT NULL REFERENCES users (id),
    routed_at   TIMESTAMPTZ NOT NULL,
    placed_at   TIMESTAMPTZ,
    PRIMARY KEY (signal_id, council_id)
);
CREATE INDEX signal_routes_pending ON signal_routes (council_id) WHERE topic_id IS NULL;
CREATE INDEX signal_routes_topic ON signal_routes (topic_id);

-- Recent writes by anonymous clients, counted per scope and hashed key (a client address),
-- never the address itself.
CREATE TABLE throttle_hits (
    scope   TEXT NOT NULL,
    key     TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    attempt TEXT NOT NULL
);
CREATE INDEX throttle_hits_key ON throttle_hits (scope, key, at);
CREATE INDEX throttle_hits_at ON throttle_hits (scope, at);
CREATE INDEX throttle_hits_attempt ON throttle_hits (attempt);

-- The municipality's follow-up of an adopted proposal; each is also a followup.added event
-- in the council's record (seq), after the round's close.
CREATE TABLE follow_ups (
    id               BIGSERIAL PRIMARY KEY,
    proposal_id      BIGINT NOT NULL REFERENCES proposals (id),
    round_id         BIGINT NOT NULL REFERENCES rounds (id),
    council_id       BIGINT NOT NULL REFERENCES councils (id),
    status           TEXT NOT NULL CHECK (status IN ('accepted', 'partly_accepted', 'rejected', 'planned', 'in_progress', 'done')),
    body             TEXT NOT NULL,
    responsible_unit TEXT NOT NULL DEFAULT '',
    due_date         TEXT NOT NULL DEFAULT '',
    author_id        BIGINT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    seq              BIGINT NOT NULL
);
CREATE INDEX follow_ups_proposal ON follow_ups (proposal_id, id);
CREATE INDEX follow_ups_council ON follow_ups (council_id, id);
