package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// TopicsBy lists the topics a user started, oldest first.
func (s *Store) TopicsBy(ctx context.Context, userID int64) ([]model.Topic, error) {
	var rows []topicRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+topicColumns+`
		FROM topics t JOIN users u ON u.id = t.author_id WHERE t.author_id = ? ORDER BY t.id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list a user's topics: %w", err)
	}
	return mapRows(rows, (*topicRow).model), nil
}

// PostsBy lists the posts a user wrote, oldest first.
func (s *Store) PostsBy(ctx context.Context, userID int64) ([]model.Post, error) {
	var rows []postRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+postColumns+`
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.author_id = ? ORDER BY p.id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list a user's posts: %w", err)
	}
	return mapRows(rows, (*postRow).model), nil
}

// ProposalsBy lists the proposals a user tabled, oldest first.
func (s *Store) ProposalsBy(ctx context.Context, userID int64) ([]model.Proposal, error) {
	var rows []proposalRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+proposalColumns+`
		FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.author_id = ? ORDER BY p.id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list a user's proposals: %w", err)
	}
	return mapRows(rows, (*proposalRow).model), nil
}

// OpenBallotVotesBy lists a user's votes in open ballots, oldest first. Votes in secret
// ballots are left out: while the round is open they are the ballot's secret, and once it
// closes they no longer exist.
func (s *Store) OpenBallotVotesBy(ctx context.Context, userID int64) ([]model.MyVote, error) {
	var rows []struct {
		ProposalID int64     `db:"proposal_id"`
		RoundID    int64     `db:"round_id"`
		Choice     string    `db:"choice"`
		CastAt     time.Time `db:"cast_at"`
	}
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT v.proposal_id, p.round_id, v.choice, v.cast_at
		FROM votes v JOIN proposals p ON p.id = v.proposal_id JOIN rounds r ON r.id = p.round_id
		WHERE v.user_id = ? AND r.ballot = ? ORDER BY v.cast_at, v.proposal_id`), userID, model.BallotOpen)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list a user's votes: %w", err)
	}
	out := make([]model.MyVote, len(rows))
	for i, r := range rows {
		out[i] = model.MyVote{ProposalID: r.ProposalID, RoundID: r.RoundID, Choice: r.Choice, CastAt: r.CastAt.UTC()}
	}
	return out, nil
}

// EventText is an event's payload as stored, with its form once its post is hidden.
type EventText struct {
	CouncilID int64
	Seq       int64
	Type      string
	Data      []byte
	Redacted  []byte // nil when the event carries no post's text
}

// ActedEvents lists the events a user was the actor of: the only ones whose payloads name them.
func (w *WriteTx) ActedEvents(ctx context.Context, userID int64) ([]EventText, error) {
	var rows []struct {
		CouncilID int64   `db:"council_id"`
		Seq       int64   `db:"seq"`
		Type      string  `db:"type"`
		Data      string  `db:"data"`
		Redacted  *string `db:"data_redacted"`
	}
	err := w.tx.SelectContext(ctx, &rows, w.store.rebind(`SELECT council_id, seq, type, data, data_redacted FROM events
		WHERE actor_id = ? ORDER BY council_id, seq`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list a user's events: %w", err)
	}
	out := make([]EventText, len(rows))
	for i, r := range rows {
		out[i] = EventText{CouncilID: r.CouncilID, Seq: r.Seq, Type: r.Type, Data: []byte(r.Data)}
		if r.Redacted != nil {
			out[i].Redacted = []byte(*r.Redacted)
		}
	}
	return out, nil
}

// RenameActor writes an erased user's new name into the events they were the actor of, with
// their payloads as the caller rewrote them (nil Redacted leaves that column alone).
func (w *WriteTx) RenameActor(ctx context.Context, userID int64, name string, evs []EventText) error {
	if err := w.exec(ctx, `UPDATE events SET actor_name = ? WHERE actor_id = ?`, name, userID); err != nil {
		return fmt.Errorf("store: unable to rename an actor: %w", err)
	}
	for _, ev := range evs {
		err := w.exec(ctx, `UPDATE events SET data = ?, data_redacted = COALESCE(?, data_redacted) WHERE council_id = ? AND seq = ?`,
			string(ev.Data), nullable(ev.Redacted), ev.CouncilID, ev.Seq)
		if err != nil {
			return fmt.Errorf("store: unable to rewrite an event: %w", err)
		}
	}
	return nil
}

func nullable(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// EraseUser deletes what the platform holds of a user that identifies them — email, password,
// organisation, sessions, pending links, the addresses and contents of their mails, the
// invitations sent to their address — and gives them name. It returns the keys of the
// sessions ended.
func (w *WriteTx) EraseUser(ctx context.Context, u *model.User, name string) ([]string, error) {
	steps := []struct {
		query string
		args  []any
	}{
		{`UPDATE users SET email = ?, name = ?, organisation = '', password_hash = '', erased_at = ?, role = 'user',
			notify_invitation = FALSE, notify_round_opened = FALSE, notify_closing_soon = FALSE,
			notify_round_closed = FALSE, notify_reply = FALSE WHERE id = ?`,
			[]any{"erased-" + strconv.FormatInt(u.ID, 10), name, w.now, u.ID}},
		{`DELETE FROM password_resets WHERE user_id = ?`, []any{u.ID}},
		{`DELETE FROM email_changes WHERE user_id = ?`, []any{u.ID}},
		{`UPDATE invitations SET email = '', name = '', organisation = '',
			expires_at = CASE WHEN used_at IS NULL AND expires_at > ? THEN ? ELSE expires_at END WHERE email = ?`,
			[]any{w.now, w.now, u.Email}},
		{`UPDATE mail_outbox SET status = CASE WHEN status IN (?, ?) THEN ? ELSE status END,
			to_addr = '', data = '{}', secret = NULL WHERE user_id = ? OR to_addr = ?`,
			[]any{model.MailQueued, model.MailSending, model.MailNotSent, u.ID, u.Email}},
	}
	for _, st := range steps {
		if err := w.exec(ctx, st.query, st.args...); err != nil {
			return nil, fmt.Errorf("store: unable to erase a user: %w", err)
		}
	}
	return deleteSessions(ctx, w.tx, w.store.rebind, u.ID, "")
}

// Users lists every account, staff first (admins, then officers), then by name, with how many
// councils it sits on, how many sessions it holds at a moment, and when one of them was last
// used.
func (s *Store) Users(ctx context.Context, at time.Time) ([]model.UserSummary, error) {
	users, _, err := s.UsersPage(ctx, at, -1, 0)
	return users, err
}

// UsersPage lists one page of the accounts as Users does (limit accounts from offset; a
// negative limit: all of them), with how many there are in all.
func (s *Store) UsersPage(ctx context.Context, at time.Time, limit, offset int) ([]model.UserSummary, int, error) {
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM users`); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count users: %w", err)
	}
	var rows []struct {
		userRow
		Councils int `db:"councils"`
	}
	q := `SELECT ` + userColumnsOf("u") + `,
		(SELECT COUNT(*) FROM memberships m WHERE m.user_id = u.id) AS councils
		FROM users u ORDER BY CASE u.role WHEN ? THEN 0 WHEN ? THEN 1 ELSE 2 END, u.name, u.id`
	args := []any{model.SiteAdmin, model.SiteOfficer}
	if limit >= 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, limit, offset)
	}
	if err := s.db.SelectContext(ctx, &rows, s.rebind(q), args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to list users: %w", err)
	}
	// Times are read as columns, never through an aggregate, which SQLite would return as text.
	var sessions []struct {
		UserID   int64     `db:"user_id"`
		LastSeen time.Time `db:"last_seen_at"`
	}
	q, args = `SELECT user_id, last_seen_at FROM sessions WHERE expires_at > ?`, []any{stamp(at)}
	if limit >= 0 { // the page's accounts' sessions alone
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		if len(ids) == 0 {
			ids = []int64{0}
		}
		var err error
		if q, args, err = sqlx.In(q+` AND user_id IN (?)`, stamp(at), ids); err != nil {
			return nil, 0, err
		}
	}
	if err := s.db.SelectContext(ctx, &sessions, s.rebind(q), args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to list sessions: %w", err)
	}
	out := make([]model.UserSummary, len(rows))
	index := map[int64]int{}
	for i := range rows {
		out[i] = model.UserSummary{User: *rows[i].userRow.model(), Councils: rows[i].Councils}
		index[rows[i].ID] = i
	}
	for _, sess := range sessions {
		u, ok := index[sess.UserID]
		if !ok {
			continue
		}
		out[u].Sessions++
		if seen := sess.LastSeen.UTC(); out[u].LastSeen == nil || seen.After(*out[u].LastSeen) {
			out[u].LastSeen = &seen
		}
	}
	return out, total, nil
}
