-- Accounts, mail and notifications: a member's language and which notifications they want,
-- erasure, sessions that can be listed and revoked, password-reset and email-change links, the
-- outbox of mails (written in the transaction that causes each), the closing-soon reminders
-- already written (one per member and round), and the key that signs unsubscribe links.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'bg' CHECK (language IN ('bg', 'en'));
ALTER TABLE users ADD COLUMN notify_invitation BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_round_opened BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_closing_soon BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_round_closed BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_reply BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;

ALTER TABLE sessions ADD COLUMN id BIGSERIAL UNIQUE;
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX email_changes_user ON email_changes (user_id);

CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,
    user_id         BIGINT REFERENCES users (id),
    to_addr         TEXT NOT NULL,
    lang            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    data            TEXT NOT NULL,
    secret          TEXT,
    round_id        BIGINT REFERENCES rounds (id),
    invitation_id   BIGINT REFERENCES invitations (id),
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'not_sent')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_until   TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX mail_outbox_user ON mail_outbox (user_id);
CREATE INDEX mail_outbox_invitation ON mail_outbox (invitation_id) WHERE invitation_id IS NOT NULL;
CREATE INDEX mail_outbox_status ON mail_outbox (status, id);

CREATE TABLE closing_soon_sent (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    user_id  BIGINT NOT NULL REFERENCES users (id),
    sent_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    key  TEXT NOT NULL
);
