-- Surveys: the municipality asks, residents answer, online and at the counter with slips of
-- one-time answer codes. A response is kept apart from whoever sent it: survey_responses holds
-- no account, address, code, time or sequence; what prevents a second response (survey_marks,
-- survey_codes, survey_attempts) is another table, erased when the survey closes.
CREATE TABLE surveys (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    audience     TEXT NOT NULL CHECK (audience IN ('public', 'council', 'codes')),
    council_id   BIGINT REFERENCES councils (id),
    results      TEXT NOT NULL CHECK (results IN ('live', 'after_close')),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    questions    TEXT NOT NULL,
    closes_at    TIMESTAMPTZ,
    opened_at    TIMESTAMPTZ,
    closed_at    TIMESTAMPTZ,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    codes_issued INTEGER NOT NULL DEFAULT 0,
    CHECK ((audience = 'council') = (council_id IS NOT NULL))
);
CREATE INDEX surveys_due ON surveys (closes_at) WHERE status = 'open';
CREATE INDEX surveys_council ON surveys (council_id);

-- id is random, so that it orders nothing; receipt is the hash a council member's receipt
-- (kept by the member alone) makes with their id, until the close.
CREATE TABLE survey_responses (
    id        BIGINT PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    answers   TEXT NOT NULL,
    hidden    TEXT NOT NULL DEFAULT '{}',
    receipt   TEXT UNIQUE
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, id);

-- Who has answered (a member's id, a browser's token hashed per survey), until the close.
CREATE TABLE survey_marks (
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    mark      TEXT NOT NULL,
    PRIMARY KEY (survey_id, mark)
);

-- Answer codes, as hashes; used ones are marked, all are erased at the close.
CREATE TABLE survey_codes (
    code_hash TEXT PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    used      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX survey_codes_survey ON survey_codes (survey_id);

-- Public answers per client address (hashed), for the throttle; erased at the close.
CREATE TABLE survey_attempts (
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    address   TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX survey_attempts_key ON survey_attempts (survey_id, address, at);
