package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

type surveyRow struct {
	ID          int64      `db:"id"`
	Title       string     `db:"title"`
	Description string     `db:"description"`
	Audience    string     `db:"audience"`
	CouncilID   *int64     `db:"council_id"`
	Results     string     `db:"results"`
	Status      string     `db:"status"`
	Questions   string     `db:"questions"`
	ClosesAt    *time.Time `db:"closes_at"`
	OpenedAt    *time.Time `db:"opened_at"`
	ClosedAt    *time.Time `db:"closed_at"`
	CreatedBy   int64      `db:"created_by"`
	CreatedAt   time.Time  `db:"created_at"`
	CodesIssued int        `db:"codes_issued"`
	Responses   int        `db:"responses"`
}

const surveyColumns = surveyFields + `,
	(SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses`

// surveyFields are a survey's columns without its count of responses, which a transaction
// does not need and which grows with every response.
const surveyFields = `s.id, s.title, s.description, s.audience, s.council_id, s.results, s.status, s.questions,
	s.closes_at, s.opened_at, s.closed_at, s.created_by, s.created_at, s.codes_issued, 0 AS responses`

// questionDoc is how a question is kept in the surveys.questions column.
type questionDoc struct {
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required"`
}

func questionDocs(qs []model.Question) (string, error) {
	docs := make([]questionDoc, len(qs))
	for i, q := range qs {
		docs[i] = questionDoc{Kind: q.Kind, Text: q.Text, Options: q.Options, Required: q.Required}
	}
	b, err := json.Marshal(docs)
	return string(b), err
}

func (r *surveyRow) model() (model.Survey, error) {
	s := model.Survey{ID: r.ID, Title: r.Title, Description: r.Description, Audience: r.Audience, CouncilID: r.CouncilID,
		Results: r.Results, Status: r.Status, ClosesAt: utcPtr(r.ClosesAt), OpenedAt: utcPtr(r.OpenedAt),
		ClosedAt: utcPtr(r.ClosedAt), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), CodesIssued: r.CodesIssued,
		Responses: r.Responses}
	var docs []questionDoc
	if err := json.Unmarshal([]byte(r.Questions), &docs); err != nil {
		return s, fmt.Errorf("store: survey %d has unreadable questions: %w", r.ID, err)
	}
	for i, d := range docs {
		s.Questions = append(s.Questions, model.Question{ID: i + 1, Kind: d.Kind, Text: d.Text, Options: d.Options, Required: d.Required})
	}
	return s, nil
}

// CreateSurvey inserts a survey as s gives it, stamped with the caller's time.
func (s *Store) CreateSurvey(ctx context.Context, sv *model.Survey, at time.Time) error {
	qs, err := questionDocs(sv.Questions)
	if err != nil {
		return err
	}
	sv.CreatedAt = stamp(at)
	err = s.db.GetContext(ctx, &sv.ID, s.rebind(`INSERT INTO surveys
		(title, description, audience, council_id, results, status, questions, closes_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		sv.Title, sv.Description, sv.Audience, sv.CouncilID, sv.Results, sv.Status, qs, stampPtr(sv.ClosesAt), sv.CreatedBy, sv.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to create survey: %w", err)
	}
	return nil
}

func stampPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := stamp(*t)
	return &u
}

// Survey finds a survey by id.
func (s *Store) Survey(ctx context.Context, id int64) (*model.Survey, error) {
	return survey(ctx, s.db, s.rebind, id, surveyColumns)
}

func survey(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, id int64, columns string) (*model.Survey, error) {
	var row surveyRow
	if err := sqlx.GetContext(ctx, q, &row, rebind(`SELECT `+columns+` FROM surveys s WHERE s.id = ?`), id); err != nil {
		return nil, notFound(err)
	}
	sv, err := row.model()
	return &sv, err
}

// SurveyQuery selects surveys for a list.
type SurveyQuery struct {
	Statuses []string // any of these; none: every state
	Limit    int
}

// Surveys lists surveys, newest first; the rules decide which of them the viewer may see.
func (s *Store) Surveys(ctx context.Context, q SurveyQuery) ([]model.Survey, error) {
	query, args := `SELECT `+surveyColumns+` FROM surveys s`, []any{}
	if len(q.Statuses) > 0 {
		in, inArgs, err := sqlx.In(` WHERE s.status IN (?)`, q.Statuses)
		if err != nil {
			return nil, err
		}
		query, args = query+in, inArgs
	}
	var rows []surveyRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(query+` ORDER BY s.created_at DESC, s.id DESC LIMIT ?`), append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list surveys: %w", err)
	}
	out := make([]model.Survey, 0, len(rows))
	for i := range rows {
		sv, err := rows[i].model()
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, nil
}

// DueSurveys lists the ids of open surveys whose closing time has passed at a moment.
func (s *Store) DueSurveys(ctx context.Context, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, s.rebind(`SELECT id FROM surveys
		WHERE status = ? AND closes_at IS NOT NULL AND closes_at <= ? ORDER BY closes_at`), model.StatusOpen, at.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: unable to list due surveys: %w", err)
	}
	return ids, nil
}

// Responses returns a survey's responses in the order of their random ids: an order that says
// nothing of when they came.
func (s *Store) Responses(ctx context.Context, surveyID int64) ([]model.Response, error) {
	var rows []responseRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT id, answers, hidden FROM survey_responses WHERE survey_id = ? ORDER BY id`), surveyID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read responses: %w", err)
	}
	out := make([]model.Response, 0, len(rows))
	for i := range rows {
		r, err := rows[i].model()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SurveyAttempts counts a client's answers to a survey since a moment and returns the oldest.
func (s *Store) SurveyAttempts(ctx context.Context, surveyID int64, address string, since time.Time) (int, *time.Time, error) {
	var times []time.Time
	err := s.db.SelectContext(ctx, &times, s.rebind(`SELECT at FROM survey_attempts
		WHERE survey_id = ? AND address = ? AND at > ? ORDER BY at`), surveyID, address, since.UTC())
	if err != nil || len(times) == 0 {
		return 0, nil, err
	}
	oldest := times[0].UTC()
	return len(times), &oldest, nil
}

// RecordSurveyAttempt counts one answer from a client, in a transaction of its own: apart
// from the response's.
func (s *Store) RecordSurveyAttempt(ctx context.Context, surveyID int64, address string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO survey_attempts (survey_id, address, at) VALUES (?, ?, ?)`),
		surveyID, address, stamp(at))
	if err != nil {
		return fmt.Errorf("store: unable to count an answer: %w", err)
	}
	return nil
}

// ForgetSurveyAttempts drops the counted answers from before a moment.
func (s *Store) ForgetSurveyAttempts(ctx context.Context, before time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM survey_attempts WHERE at < ?`), before.UTC())
	return err
}

// ScrubSurveys makes what a close erased unrecoverable from the database's own files, as
// ScrubErased does for votes: SQLite's write-ahead log is checkpointed and truncated (deleted
// rows are overwritten, secure_delete being on), PostgreSQL's tables are vacuumed.
func (s *Store) ScrubSurveys(ctx context.Context) error {
	if err := s.scrub(ctx, "survey_marks", "survey_codes", "survey_attempts", "survey_responses"); err != nil {
		return fmt.Errorf("store: unable to scrub a closed survey's marks: %w", err)
	}
	return nil
}
