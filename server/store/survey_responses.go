package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// SurveyTx is a write transaction on one survey. It holds the survey's row lock until commit:
// shared while a response is written, so that responses go on side by side, and exclusive for
// a change of the survey itself, so that a close waits for the responses in flight and no
// response slips in after it.
type SurveyTx struct {
	tx     *sqlx.Tx
	store  *Store
	survey *model.Survey
}

// InSurvey runs fn in a transaction holding the survey's lock (exclusive or shared). When fn
// returns an error nothing is written.
func (s *Store) InSurvey(ctx context.Context, id int64, exclusive bool, fn func(*SurveyTx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	lock := `SELECT id FROM surveys WHERE id = ?`
	if s.dialect == "postgres" {
		lock += map[bool]string{true: ` FOR UPDATE`, false: ` FOR SHARE`}[exclusive]
	}
	var got int64
	if err := tx.GetContext(ctx, &got, s.rebind(lock), id); err != nil {
		return notFound(err)
	}
	sv, err := survey(ctx, tx, s.rebind, id, surveyFields)
	if err != nil {
		return err
	}
	if err := fn(&SurveyTx{tx: tx, store: s, survey: sv}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}

// Survey is the locked survey as the transaction began.
func (t *SurveyTx) Survey() *model.Survey { return t.survey }

func (t *SurveyTx) exec(ctx context.Context, what, q string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, t.store.rebind(q), args...)
	if err != nil {
		return 0, fmt.Errorf("store: unable to %s: %w", what, err)
	}
	return res.RowsAffected()
}

// UpdateSurvey writes a survey's editable fields.
func (t *SurveyTx) UpdateSurvey(ctx context.Context, sv *model.Survey) error {
	qs, err := questionDocs(sv.Questions)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "update survey", `UPDATE surveys SET title = ?, description = ?, audience = ?, council_id = ?,
		results = ?, questions = ?, closes_at = ? WHERE id = ?`,
		sv.Title, sv.Description, sv.Audience, sv.CouncilID, sv.Results, qs, stampPtr(sv.ClosesAt), sv.ID)
	return err
}

// OpenSurvey writes a survey's opening.
func (t *SurveyTx) OpenSurvey(ctx context.Context, sv *model.Survey) error {
	_, err := t.exec(ctx, "open survey", `UPDATE surveys SET status = ?, opened_at = ?, closes_at = ? WHERE id = ?`,
		sv.Status, stampPtr(sv.OpenedAt), stampPtr(sv.ClosesAt), sv.ID)
	return err
}

// CloseSurvey writes a survey's close and erases, in the same transaction, everything that
// kept a second response out: the marks of who answered, the answer codes, the counted
// answers per address and the members' receipts. The responses are then written again in a
// random order, so that not even the order of their rows in the database's files follows
// the order they came in. It reports false, writing nothing, when the survey was not open
// (another process closed it first).
func (t *SurveyTx) CloseSurvey(ctx context.Context, sv *model.Survey) (bool, error) {
	n, err := t.exec(ctx, "close survey", `UPDATE surveys SET status = ?, closed_at = ? WHERE id = ? AND status = ?`,
		model.StatusClosed, stampPtr(sv.ClosedAt), sv.ID, model.StatusOpen)
	if err != nil || n == 0 {
		return false, err
	}
	for _, table := range []string{"survey_marks", "survey_codes", "survey_attempts"} {
		if _, err := t.exec(ctx, "erase "+table, `DELETE FROM `+table+` WHERE survey_id = ?`, sv.ID); err != nil {
			return false, err
		}
	}
	return true, t.shuffle(ctx, sv.ID)
}

// shuffle rewrites a survey's responses in a random order, without their receipts.
func (t *SurveyTx) shuffle(ctx context.Context, surveyID int64) error {
	var rows []responseRow
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT id, answers, hidden FROM survey_responses WHERE survey_id = ?`), surveyID)
	if err != nil {
		return fmt.Errorf("store: unable to read responses: %w", err)
	}
	if _, err := t.exec(ctx, "clear responses", `DELETE FROM survey_responses WHERE survey_id = ?`, surveyID); err != nil {
		return err
	}
	for i := len(rows) - 1; i > 0; i-- {
		j := int(randomID() % int64(i+1))
		rows[i], rows[j] = rows[j], rows[i]
	}
	for _, r := range rows {
		if _, err := t.exec(ctx, "write response", `INSERT INTO survey_responses (id, survey_id, answers, hidden) VALUES (?, ?, ?, ?)`,
			r.ID, surveyID, r.Answers, r.Hidden); err != nil {
			return err
		}
	}
	return nil
}

// AddCodes keeps the hashes of new answer codes for the survey.
func (t *SurveyTx) AddCodes(ctx context.Context, hashes []string) error {
	for _, h := range hashes {
		if _, err := t.exec(ctx, "add code", `INSERT INTO survey_codes (code_hash, survey_id) VALUES (?, ?)`, h, t.survey.ID); err != nil {
			if isUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
	}
	_, err := t.exec(ctx, "count codes", `UPDATE surveys SET codes_issued = codes_issued + ? WHERE id = ?`, len(hashes), t.survey.ID)
	return err
}

// Code states UseCode reports.
var (
	ErrCodeUnknown = errors.New("store: no such answer code")
	ErrCodeUsed    = errors.New("store: answer code already used")
)

// UseCode marks one of the survey's answer codes used; ErrCodeUsed or ErrCodeUnknown when it
// cannot be.
func (t *SurveyTx) UseCode(ctx context.Context, hash string) error {
	n, err := t.exec(ctx, "use code", `UPDATE survey_codes SET used = ? WHERE code_hash = ? AND survey_id = ? AND used = ?`,
		true, hash, t.survey.ID, false)
	if err != nil || n == 1 {
		return err
	}
	var used bool
	err = t.tx.GetContext(ctx, &used, t.store.rebind(`SELECT used FROM survey_codes WHERE code_hash = ? AND survey_id = ?`), hash, t.survey.ID)
	if err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return ErrCodeUnknown
		}
		return err
	}
	return ErrCodeUsed
}

// Mark records that someone (a member, a browser) has answered; false when they already had.
func (t *SurveyTx) Mark(ctx context.Context, mark string) (bool, error) {
	n, err := t.exec(ctx, "mark", `INSERT INTO survey_marks (survey_id, mark) VALUES (?, ?) ON CONFLICT DO NOTHING`, t.survey.ID, mark)
	return n == 1, err
}

// InsertResponse writes a response under a random id, with the hash of a member's receipt
// ("" for none).
func (t *SurveyTx) InsertResponse(ctx context.Context, answers []model.Answer, receipt string) (int64, error) {
	doc, err := answerDocs(answers)
	if err != nil {
		return 0, err
	}
	var rcpt *string
	if receipt != "" {
		rcpt = &receipt
	}
	for {
		id := randomID()
		n, err := t.exec(ctx, "write response", `INSERT INTO survey_responses (id, survey_id, answers, receipt) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, id, t.survey.ID, doc, rcpt)
		if err != nil || n == 1 {
			return id, err
		}
	}
}

// ReplaceResponse writes new answers over the response a receipt names; false when none does.
func (t *SurveyTx) ReplaceResponse(ctx context.Context, receipt string, answers []model.Answer) (bool, error) {
	doc, err := answerDocs(answers)
	if err != nil {
		return false, err
	}
	n, err := t.exec(ctx, "replace response", `UPDATE survey_responses SET answers = ?, hidden = '{}' WHERE survey_id = ? AND receipt = ?`,
		doc, t.survey.ID, receipt)
	return n == 1, err
}

// HideText records why a moderator hid one text answer of a response.
func (t *SurveyTx) HideText(ctx context.Context, responseID int64, question int, reason string) error {
	var raw string
	err := t.tx.GetContext(ctx, &raw, t.store.rebind(`SELECT hidden FROM survey_responses WHERE id = ? AND survey_id = ?`), responseID, t.survey.ID)
	if err != nil {
		return notFound(err)
	}
	hidden := map[string]string{}
	if err := json.Unmarshal([]byte(raw), &hidden); err != nil {
		return fmt.Errorf("store: response has unreadable hidden answers: %w", err)
	}
	hidden[strconv.Itoa(question)] = reason
	b, err := json.Marshal(hidden)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "hide answer", `UPDATE survey_responses SET hidden = ? WHERE id = ?`, string(b), responseID)
	return err
}

// ResponseByReceipt finds the response a member's receipt hash names.
func (s *Store) ResponseByReceipt(ctx context.Context, surveyID int64, receipt string) (*model.Response, error) {
	var row responseRow
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT id, answers, hidden FROM survey_responses WHERE survey_id = ? AND receipt = ?`), surveyID, receipt)
	if err != nil {
		return nil, notFound(err)
	}
	r, err := row.model()
	return &r, err
}

// HasMark reports whether a mark is recorded for the survey.
func (s *Store) HasMark(ctx context.Context, surveyID int64, mark string) (bool, error) {
	var n int
	err := s.db.GetContext(ctx, &n, s.rebind(`SELECT COUNT(*) FROM survey_marks WHERE survey_id = ? AND mark = ?`), surveyID, mark)
	return n > 0, err
}

// randomID is a positive 63-bit random number: a response's id, which orders nothing.
func randomID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) | 1
}

type responseRow struct {
	ID      int64  `db:"id"`
	Answers string `db:"answers"`
	Hidden  string `db:"hidden"`
}

// answerDoc is how an answer is kept in survey_responses.answers.
type answerDoc struct {
	Question int    `json:"q"`
	Choice   *int   `json:"c,omitempty"`
	Choices  []int  `json:"cs,omitempty"`
	Value    *int   `json:"v,omitempty"`
	Text     string `json:"t,omitempty"`
}

func answerDocs(as []model.Answer) (string, error) {
	docs := make([]answerDoc, len(as))
	for i, a := range as {
		docs[i] = answerDoc{Question: a.Question, Choice: a.Choice, Choices: a.Choices, Value: a.Value, Text: a.Text}
	}
	b, err := json.Marshal(docs)
	return string(b), err
}

func (r *responseRow) model() (model.Response, error) {
	out := model.Response{ID: r.ID}
	var docs []answerDoc
	if err := json.Unmarshal([]byte(r.Answers), &docs); err != nil {
		return out, fmt.Errorf("store: response has unreadable answers: %w", err)
	}
	for _, d := range docs {
		out.Answers = append(out.Answers, model.Answer{Question: d.Question, Choice: d.Choice, Choices: d.Choices, Value: d.Value, Text: d.Text})
	}
	hidden := map[string]string{}
	if err := json.Unmarshal([]byte(r.Hidden), &hidden); err != nil {
		return out, fmt.Errorf("store: response has unreadable hidden answers: %w", err)
	}
	for k, v := range hidden {
		if q, err := strconv.Atoi(k); err == nil {
			if out.Hidden == nil {
				out.Hidden = map[int]string{}
			}
			out.Hidden[q] = v
		}
	}
	return out, nil
}
