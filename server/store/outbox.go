package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

type mailRow struct {
	ID           int64      `db:"id"`
	Kind         string     `db:"kind"`
	UserID       *int64     `db:"user_id"`
	To           string     `db:"to_addr"`
	Lang         string     `db:"lang"`
	Subject      string     `db:"subject"`
	Data         string     `db:"data"`
	Secret       *string    `db:"secret"`
	RoundID      *int64     `db:"round_id"`
	InvitationID *int64     `db:"invitation_id"`
	Status       string     `db:"status"`
	Attempts     int        `db:"attempts"`
	LastError    string     `db:"last_error"`
	CreatedAt    time.Time  `db:"created_at"`
	NextAttempt  time.Time  `db:"next_attempt_at"`
	SentAt       *time.Time `db:"sent_at"`
	RecordSHA256 *string    `db:"record_sha256"`
}

const mailColumns = `o.id, o.kind, o.user_id, o.to_addr, o.lang, o.subject, o.data, o.secret, o.round_id, o.invitation_id,
	o.status, o.attempts, o.last_error, o.created_at, o.next_attempt_at, o.sent_at,
	(SELECT r.record_sha256 FROM rounds r WHERE r.id = o.round_id) AS record_sha256`

func (r *mailRow) model() model.Mail {
	m := model.Mail{ID: r.ID, Kind: r.Kind, UserID: r.UserID, To: r.To, Lang: r.Lang, Subject: r.Subject,
		Secret: deref(r.Secret), RoundID: r.RoundID, InvitationID: r.InvitationID, Status: r.Status, Attempts: r.Attempts,
		LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), NextAttempt: r.NextAttempt.UTC(), SentAt: utcPtr(r.SentAt),
		RecordSHA256: deref(r.RecordSHA256)}
	// The data was written by queueMail from a map; a row that does not read back has no data.
	_ = json.Unmarshal([]byte(r.Data), &m.Data)
	return m
}

// mailBatch is how many mails one INSERT writes: 13 parameters each, well under both
// databases' limits on parameters.
const mailBatch = 200

// queueMails writes mails into the outbox in the transaction q, due at once, a batch per
// statement.
func queueMails(ctx context.Context, q sqlx.ExecerContext, rebind func(string) string, ms []*model.Mail, now time.Time) error {
	for start := 0; start < len(ms); start += mailBatch {
		batch := ms[start:min(start+mailBatch, len(ms))]
		query := `INSERT INTO mail_outbox (kind, user_id, to_addr, lang, subject, data, secret, round_id, invitation_id,
			status, last_error, next_attempt_at, created_at) VALUES `
		args := make([]any, 0, len(batch)*13)
		for i, m := range batch {
			data, err := json.Marshal(m.Data)
			if err != nil {
				return fmt.Errorf("store: unable to encode a mail's data: %w", err)
			}
			var secret *string
			if m.Secret != "" && m.Status == model.MailQueued {
				secret = &m.Secret
			}
			m.CreatedAt, m.NextAttempt = now, now
			if i > 0 {
				query += ", "
			}
			query += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append(args, m.Kind, m.UserID, m.To, m.Lang, m.Subject, string(data), secret, m.RoundID, m.InvitationID,
				m.Status, m.LastError, now, now)
		}
		if _, err := q.ExecContext(ctx, rebind(query), args...); err != nil {
			return fmt.Errorf("store: unable to queue mails: %w", err)
		}
	}
	return nil
}

// QueueMails writes mails into the outbox inside the council's transaction.
func (t *Tx) QueueMails(ctx context.Context, ms []*model.Mail) error {
	return queueMails(ctx, t.tx, t.store.rebind, ms, t.now)
}

// QueueMails writes mails into the outbox inside the transaction.
func (w *WriteTx) QueueMails(ctx context.Context, ms []*model.Mail) error {
	return queueMails(ctx, w.tx, w.store.rebind, ms, w.now)
}

// ClaimMails takes up to limit mails due at a moment for this process to send, and holds them
// until lease: queued mails, and mails whose sender's lease ran out (a process that stopped
// while sending). A mail of a round's results is due only once the round's record is stored.
// On PostgreSQL the rows are locked with SKIP LOCKED, so processes claiming at once take
// different mails; on SQLite the transaction holds the write lock from its start.
func (s *Store) ClaimMails(ctx context.Context, at, lease time.Time, limit int) ([]model.Mail, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	pick := `SELECT o.id FROM mail_outbox o
		WHERE ((o.status = ? AND o.next_attempt_at <= ?) OR (o.status = ? AND o.claimed_until <= ?))
		AND (o.round_id IS NULL OR EXISTS (SELECT 1 FROM rounds r WHERE r.id = o.round_id AND r.record_sha256 IS NOT NULL))
		ORDER BY o.next_attempt_at, o.id LIMIT ?`
	if s.dialect == "postgres" {
		pick += ` FOR UPDATE OF o SKIP LOCKED`
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, s.rebind(pick), model.MailQueued, stamp(at), model.MailSending, stamp(at), limit); err != nil {
		return nil, fmt.Errorf("store: unable to pick mails: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`UPDATE mail_outbox SET status = ?, claimed_until = ?, attempts = attempts + 1 WHERE id IN (?)`,
		model.MailSending, stamp(lease), ids)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to claim mails: %w", err)
	}
	q, args, err = sqlx.In(`SELECT `+mailColumns+` FROM mail_outbox o WHERE o.id IN (?) ORDER BY o.id`, ids)
	if err != nil {
		return nil, err
	}
	var rows []mailRow
	if err := tx.SelectContext(ctx, &rows, s.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to read claimed mails: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: unable to commit: %w", err)
	}
	return mapRows(rows, (*mailRow).model), nil
}

// FinishMail records how a claimed mail ended — sent, failed or not sent — and forgets its
// secret link.
func (s *Store) FinishMail(ctx context.Context, id int64, status, lastError string, at time.Time) error {
	var sentAt *time.Time
	if status == model.MailSent {
		t := stamp(at)
		sentAt = &t
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE mail_outbox SET status = ?, last_error = ?, sent_at = ?, secret = NULL,
		claimed_until = NULL WHERE id = ? AND status = ?`), status, lastError, sentAt, id, model.MailSending)
	if err != nil {
		return fmt.Errorf("store: unable to record a mail's end: %w", err)
	}
	return nil
}

// RetryMail puts a claimed mail back in the queue, due again at next, with what went wrong.
func (s *Store) RetryMail(ctx context.Context, id int64, lastError string, next time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE mail_outbox SET status = ?, last_error = ?, next_attempt_at = ?,
		claimed_until = NULL WHERE id = ? AND status = ?`), model.MailQueued, lastError, stamp(next), id, model.MailSending)
	if err != nil {
		return fmt.Errorf("store: unable to put a mail back: %w", err)
	}
	return nil
}

// Outbox lists the outbox, newest first, at most limit mails; status "" lists every state.
func (s *Store) Outbox(ctx context.Context, status string, limit int) ([]model.Mail, error) {
	q, args := `SELECT `+mailColumns+` FROM mail_outbox o`, []any{}
	if status != "" {
		q += ` WHERE o.status = ?`
		args = append(args, status)
	}
	var rows []mailRow
	if err := s.db.SelectContext(ctx, &rows, s.rebind(q+` ORDER BY o.id DESC LIMIT ?`), append(args, limit)...); err != nil {
		return nil, fmt.Errorf("store: unable to list the outbox: %w", err)
	}
	return mapRows(rows, (*mailRow).model), nil
}

// OutboxCounts counts the outbox's mails by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status`); err != nil {
		return nil, fmt.Errorf("store: unable to count the outbox: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// MailsTo lists the mails written to a user, newest first.
func (s *Store) MailsTo(ctx context.Context, userID int64) ([]model.Mail, error) {
	var rows []mailRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+mailColumns+` FROM mail_outbox o WHERE o.user_id = ? ORDER BY o.id DESC`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list a user's mails: %w", err)
	}
	return mapRows(rows, (*mailRow).model), nil
}

// SigningKey returns the key kept under name, storing fresh as that key when there is none
// yet: every process signs with the same key, whichever stored it first.
func (s *Store) SigningKey(ctx context.Context, name, fresh string) (string, error) {
	if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO signing_keys (name, key) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, fresh); err != nil {
		return "", fmt.Errorf("store: unable to store a signing key: %w", err)
	}
	var key string
	if err := s.db.GetContext(ctx, &key, s.rebind(`SELECT key FROM signing_keys WHERE name = ?`), name); err != nil {
		return "", fmt.Errorf("store: unable to read a signing key: %w", err)
	}
	return key, nil
}

// Appended returns the events the transaction has appended so far, for what must be written
// with them before the commit (the notifications they call for).
func (t *Tx) Appended() []model.Event { return t.events }

// QueueMails writes mails into the outbox inside the site's transaction (a signal's).
func (t *SiteTx) QueueMails(ctx context.Context, ms []*model.Mail) error {
	return queueMails(ctx, t.tx, t.store.rebind, ms, t.now)
}
