package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

type signalRow struct {
	ID              int64      `db:"id"`
	Kind            string     `db:"kind"`
	Title           string     `db:"title"`
	Body            string     `db:"body"`
	SenderName      string     `db:"sender_name"`
	SenderEmail     string     `db:"sender_email"`
	SenderLang      string     `db:"sender_lang"`
	UserID          *int64     `db:"user_id"`
	Status          string     `db:"status"`
	CreatedAt       time.Time  `db:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
	FirstAnswerAt   *time.Time `db:"first_answer_at"`
	PublishedAt     *time.Time `db:"published_at"`
	ServiceID       int64      `db:"service_id"`
	ServiceSlug     string     `db:"service_slug"`
	ServiceName     string     `db:"service_name"`
	ServiceArchived bool       `db:"service_archived"`
}

const signalColumns = `s.id, s.kind, s.title, s.body, s.sender_name, s.sender_email, s.sender_lang, s.user_id, s.status,
	s.created_at, s.updated_at, s.first_answer_at, s.published_at,
	v.id AS service_id, v.slug AS service_slug, v.name AS service_name, v.archived AS service_archived`

const signalsFrom = ` FROM signals s JOIN services v ON v.id = s.service_id `

func (r *signalRow) model() model.Signal {
	return model.Signal{ID: r.ID, Kind: r.Kind, Title: r.Title, Body: r.Body, SenderName: r.SenderName,
		SenderEmail: r.SenderEmail, SenderLang: r.SenderLang, UserID: r.UserID, Status: r.Status,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), FirstAnswerAt: utcPtr(r.FirstAnswerAt),
		PublishedAt: utcPtr(r.PublishedAt),
		Service:     model.MunicipalService{ID: r.ServiceID, Slug: r.ServiceSlug, Name: r.ServiceName, Archived: r.ServiceArchived}}
}

// CreateSignal inserts a signal received at the transaction's time, known by the hash of its
// tracking code; searchText is what the register's search looks in (lower-case).
func (t *SiteTx) CreateSignal(ctx context.Context, sg *model.Signal, trackingHash, searchText string) error {
	sg.CreatedAt, sg.UpdatedAt = t.now, t.now
	err := t.tx.GetContext(ctx, &sg.ID, t.store.rebind(`INSERT INTO signals (tracking_hash, kind, service_id, title, body,
		sender_name, sender_email, sender_lang, user_id, status, search_text, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		trackingHash, sg.Kind, sg.Service.ID, sg.Title, sg.Body, sg.SenderName, sg.SenderEmail, sg.SenderLang, sg.UserID,
		sg.Status, searchText, t.now, t.now)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to create signal: %w", err)
	}
	return nil
}

// Signal finds a signal by id.
func (s *Store) Signal(ctx context.Context, id int64) (*model.Signal, error) {
	return getSignal(ctx, s.db, s.rebind, `s.id = ?`, id)
}

// SignalByTracking finds a signal by the hash of its tracking code.
func (s *Store) SignalByTracking(ctx context.Context, trackingHash string) (*model.Signal, error) {
	return getSignal(ctx, s.db, s.rebind, `s.tracking_hash = ?`, trackingHash)
}

// LockSignal reads a signal and keeps it from changing under anyone else until commit.
func (t *SiteTx) LockSignal(ctx context.Context, id int64) (*model.Signal, error) {
	return getSignal(ctx, t.tx, t.store.rebind, `s.id = ?`+t.store.forUpdateOf("s"), id)
}

func getSignal(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, where string, arg any) (*model.Signal, error) {
	var row signalRow
	if err := sqlx.GetContext(ctx, q, &row, rebind(`SELECT `+signalColumns+signalsFrom+`WHERE `+where), arg); err != nil {
		return nil, notFound(err)
	}
	sg := row.model()
	return &sg, nil
}

// forUpdateOf locks the rows of one table of a PostgreSQL join until commit.
func (s *Store) forUpdateOf(table string) string {
	if s.dialect == "postgres" {
		return ` FOR UPDATE OF ` + table
	}
	return ``
}

// AddAnswer inserts an officer's answer and sets the signal's status; firstAnswer, when set,
// is kept as the time of its first answer in substance unless it has one.
func (t *SiteTx) AddAnswer(ctx context.Context, a *model.SignalAnswer, firstAnswer bool) error {
	a.CreatedAt = t.now
	err := t.tx.GetContext(ctx, &a.ID, t.store.rebind(`INSERT INTO signal_answers (signal_id, author_id, body, status, public, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), a.SignalID, a.Author.ID, a.Body, a.Status, a.Public, t.now)
	if err != nil {
		return fmt.Errorf("store: unable to add answer: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`UPDATE signals SET status = ?, updated_at = ?,
		first_answer_at = CASE WHEN ? AND first_answer_at IS NULL THEN ? ELSE first_answer_at END WHERE id = ?`),
		a.Status, t.now, firstAnswer, t.now, a.SignalID)
	if err != nil {
		return fmt.Errorf("store: unable to set the signal's status: %w", err)
	}
	return nil
}

// PublishSignal puts a signal into the public register, once: a second call changes nothing.
func (t *SiteTx) PublishSignal(ctx context.Context, id, by int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE signals SET published_at = ?, published_by = ?, updated_at = ?
		WHERE id = ? AND published_at IS NULL`), t.now, by, t.now, id)
	if err != nil {
		return fmt.Errorf("store: unable to publish signal: %w", err)
	}
	return nil
}

type answerRow struct {
	ID         int64     `db:"id"`
	SignalID   int64     `db:"signal_id"`
	AuthorID   int64     `db:"author_id"`
	AuthorName string    `db:"author_name"`
	Body       string    `db:"body"`
	Status     string    `db:"status"`
	Public     bool      `db:"public"`
	CreatedAt  time.Time `db:"created_at"`
}

func (r *answerRow) model() model.SignalAnswer {
	return model.SignalAnswer{ID: r.ID, SignalID: r.SignalID, Author: model.Person{ID: r.AuthorID, Name: r.AuthorName},
		Body: r.Body, Status: r.Status, Public: r.Public, CreatedAt: r.CreatedAt.UTC()}
}

// Answers returns the answers to the given signals, oldest first, by signal.
func (s *Store) Answers(ctx context.Context, signalIDs []int64) (map[int64][]model.SignalAnswer, error) {
	out := map[int64][]model.SignalAnswer{}
	if len(signalIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT a.id, a.signal_id, a.author_id, u.name AS author_name, a.body, a.status, a.public, a.created_at
		FROM signal_answers a JOIN users u ON u.id = a.author_id WHERE a.signal_id IN (?) ORDER BY a.id`, signalIDs)
	if err != nil {
		return nil, err
	}
	var rows []answerRow
	if err := s.db.SelectContext(ctx, &rows, s.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to list answers: %w", err)
	}
	for i := range rows {
		out[rows[i].SignalID] = append(out[rows[i].SignalID], rows[i].model())
	}
	return out, nil
}

// SignalQuery selects signals: for the officers' desk, or (Published) for the register.
type SignalQuery struct {
	Status    string
	Kind      string
	Service   string   // a service's slug
	Words     []string // lower-case words, each of which the title or body must hold
	Published bool     // published ones only, newest publication first
	Limit     int
	Offset    int
}

// Signals lists the signals a query selects, newest first, with how many it selects in all.
func (s *Store) Signals(ctx context.Context, q SignalQuery) ([]model.Signal, int, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if q.Status != "" {
		add(`s.status = ?`, q.Status)
	}
	if q.Kind != "" {
		add(`s.kind = ?`, q.Kind)
	}
	if q.Service != "" {
		add(`v.slug = ?`, q.Service)
	}
	for _, w := range q.Words {
		add(s.contains("s.search_text"), w)
	}
	order := `s.id DESC`
	if q.Published {
		where = append(where, `s.published_at IS NOT NULL`)
		order = `s.published_at DESC, s.id DESC`
	}
	cond := ``
	if len(where) > 0 {
		cond = `WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.rebind(`SELECT COUNT(*)`+signalsFrom+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count signals: %w", err)
	}
	var rows []signalRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+signalColumns+signalsFrom+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`),
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list signals: %w", err)
	}
	return mapRows(rows, (*signalRow).model), total, nil
}

// contains is the condition that a text column holds a bound word.
func (s *Store) contains(column string) string {
	if s.dialect == "postgres" {
		return `strpos(` + column + `, ?) > 0`
	}
	return `instr(` + column + `, ?) > 0`
}

// SignalFact is what the periodic analysis needs of one signal.
type SignalFact struct {
	Kind          string     `db:"kind"`
	Service       string     `db:"service"`
	ServiceName   string     `db:"service_name"`
	Status        string     `db:"status"`
	CreatedAt     time.Time  `db:"created_at"`
	FirstAnswerAt *time.Time `db:"first_answer_at"`
}

// SignalFacts lists the signals received in [from, to), oldest first.
func (s *Store) SignalFacts(ctx context.Context, from, to time.Time) ([]SignalFact, error) {
	var rows []SignalFact
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT s.kind, v.slug AS service, v.name AS service_name, s.status,
		s.created_at, s.first_answer_at`+signalsFrom+`WHERE s.created_at >= ? AND s.created_at < ? ORDER BY s.created_at, s.id`),
		stamp(from), stamp(to))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read signals for the analysis: %w", err)
	}
	for i := range rows {
		rows[i].CreatedAt = rows[i].CreatedAt.UTC()
		rows[i].FirstAnswerAt = utcPtr(rows[i].FirstAnswerAt)
	}
	return rows, nil
}
