package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// CreateRound inserts a round, in the state r gives, into the transaction's council.
func (t *Tx) CreateRound(ctx context.Context, r *model.Round) error {
	r.CouncilID, r.CreatedAt = t.councilID, t.now
	err := t.tx.GetContext(ctx, &r.ID, t.store.rebind(`INSERT INTO rounds
		(council_id, title, description, status, ballot, quorum_percent, closes_at, created_at, results_visibility)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		r.CouncilID, r.Title, r.Description, r.Status, r.Ballot, r.QuorumPercent, r.ClosesAt, r.CreatedAt, r.ResultsVisibility)
	if err != nil {
		return fmt.Errorf("store: unable to create round: %w", err)
	}
	return nil
}

// LockRound reads a round of the transaction's council; the council lock the transaction holds
// keeps it from changing until commit.
func (t *Tx) LockRound(ctx context.Context, id int64) (*model.Round, error) {
	r, err := t.Reader().Round(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.CouncilID != t.councilID {
		return nil, ErrNotFound
	}
	return r, nil
}

// UpdateRound writes a round's editable fields.
func (t *Tx) UpdateRound(ctx context.Context, r *model.Round) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE rounds SET title = ?, description = ?, ballot = ?,
		quorum_percent = ?, closes_at = ?, results_visibility = ? WHERE id = ?`),
		r.Title, r.Description, r.Ballot, r.QuorumPercent, r.ClosesAt, r.ResultsVisibility, r.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update round: %w", err)
	}
	return nil
}

// OpenRound writes a round's opening: its state, when it opened, when it closes.
func (t *Tx) OpenRound(ctx context.Context, r *model.Round) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE rounds SET status = ?, opened_at = ?, closes_at = ? WHERE id = ?`),
		r.Status, r.OpenedAt, r.ClosesAt, r.ID)
	if err != nil {
		return fmt.Errorf("store: unable to open round: %w", err)
	}
	return nil
}

// VoteCount is a number of votes of one choice on a proposal, from one member group (the group
// the voter sat in when casting it; empty for votes from before groups were kept).
type VoteCount struct {
	ProposalID int64  `db:"proposal_id"`
	Choice     string `db:"choice"`
	Group      string `db:"grp"`
	N          int    `db:"n"`
}

// VoteCounts counts a round's votes per proposal, choice and group.
func (t *Tx) VoteCounts(ctx context.Context, roundID int64) ([]VoteCount, error) {
	var rows []VoteCount
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT v.proposal_id, v.choice, COALESCE(v.grp, '') AS grp, COUNT(*) AS n
		FROM votes v JOIN proposals p ON p.id = v.proposal_id
		WHERE p.round_id = ? GROUP BY v.proposal_id, v.choice, v.grp`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count votes: %w", err)
	}
	return rows, nil
}

// CloseRound writes a round's close: state, time, summary and results, the seq of its
// round.closed event (where its record ends), the text its archive search indexes, and the
// list of members who took part.
func (t *Tx) CloseRound(ctx context.Context, r *model.Round, searchText string) error {
	results, err := json.Marshal(resultDocs(r.Results))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`UPDATE rounds SET status = ?, closed_at = ?, outcome_summary = ?,
		results = ?, outcomes = ?, search_text = ?, closed_seq = ? WHERE id = ?`),
		r.Status, r.ClosedAt, r.OutcomeSummary, string(results), outcomeList(r.Results), strings.ToLower(searchText), r.ClosedSeq, r.ID)
	if err != nil {
		return fmt.Errorf("store: unable to close round: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO round_participants (round_id, user_id)
		SELECT DISTINCT p.round_id, v.user_id FROM votes v JOIN proposals p ON p.id = v.proposal_id WHERE p.round_id = ?`), r.ID)
	if err != nil {
		return fmt.Errorf("store: unable to record participants: %w", err)
	}
	return nil
}

// outcomeList is what the archive filters a closed round's outcomes by: each outcome its
// proposals reached, between commas (",adopted,no_quorum,").
func outcomeList(results []model.Result) string {
	seen := map[string]bool{}
	list := ","
	for _, r := range results {
		if !seen[r.Outcome] {
			seen[r.Outcome] = true
			list += r.Outcome + ","
		}
	}
	if list == "," {
		return ""
	}
	return list
}

// EraseVotes deletes the link between each voter and their choice on a round's proposals.
func (t *Tx) EraseVotes(ctx context.Context, roundID int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`DELETE FROM votes WHERE proposal_id IN (SELECT id FROM proposals WHERE round_id = ?)`), roundID)
	if err != nil {
		return fmt.Errorf("store: unable to erase votes: %w", err)
	}
	return nil
}

// ScrubErased makes rows deleted from the votes table unrecoverable from the database's own
// files: on SQLite (secure_delete is on for every connection) the write-ahead log, which still
// holds the pages as they were, is checkpointed and truncated; on PostgreSQL the table is
// vacuumed, so that its dead rows are removed. Backups and archived WAL keep what they hold.
func (s *Store) ScrubErased(ctx context.Context) error {
	if err := s.scrub(ctx, "votes"); err != nil {
		return fmt.Errorf("store: unable to scrub erased votes: %w", err)
	}
	return nil
}

// AddRoundText counts n more bytes of text written into a round.
func (t *Tx) AddRoundText(ctx context.Context, roundID int64, n int) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE rounds SET text_bytes = text_bytes + ? WHERE id = ?`), n, roundID)
	if err != nil {
		return fmt.Errorf("store: unable to count round text: %w", err)
	}
	return nil
}

type recordRow struct {
	Body   []byte `db:"body"`
	Gzip   []byte `db:"body_gzip"`
	SHA256 string `db:"sha256"`
}

// SaveRecord keeps a closed round's record and publishes its digest on the round. The first
// record saved stays: a second one (another process rendering the same round) is dropped and
// the stored one returned.
func (s *Store) SaveRecord(ctx context.Context, roundID int64, f model.RecordFile) (*model.RecordFile, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO round_records (round_id, body, body_gzip, sha256) VALUES (?, ?, ?, ?)
		ON CONFLICT (round_id) DO NOTHING`), roundID, f.Body, f.Gzip, f.SHA256)
	if err != nil {
		return nil, fmt.Errorf("store: unable to store record: %w", err)
	}
	var stored recordRow
	if err := tx.GetContext(ctx, &stored, s.rebind(`SELECT body, body_gzip, sha256 FROM round_records WHERE round_id = ?`), roundID); err != nil {
		return nil, fmt.Errorf("store: unable to read the record back: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.rebind(`UPDATE rounds SET record_sha256 = ? WHERE id = ? AND record_sha256 IS NULL`), stored.SHA256, roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to publish the record's digest: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: unable to commit: %w", err)
	}
	return &model.RecordFile{Body: stored.Body, Gzip: stored.Gzip, SHA256: stored.SHA256}, nil
}

// Record returns the stored record of a closed round; ErrNotFound while it is not rendered yet.
func (s *Store) Record(ctx context.Context, roundID int64) (*model.RecordFile, error) {
	var f recordRow
	err := s.db.GetContext(ctx, &f, s.rebind(`SELECT body, body_gzip, sha256 FROM round_records WHERE round_id = ?`), roundID)
	if err != nil {
		return nil, notFound(err)
	}
	return &model.RecordFile{Body: f.Body, Gzip: f.Gzip, SHA256: f.SHA256}, nil
}

// UnrecordedRounds lists closed rounds whose record is not stored yet (a process stopped
// between the close and the rendering).
func (s *Store) UnrecordedRounds(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, s.rebind(`SELECT id FROM rounds WHERE status = ? AND record_sha256 IS NULL ORDER BY id`), model.StatusClosed)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list unrecorded rounds: %w", err)
	}
	return ids, nil
}

// DueRounds lists open rounds whose closing time has passed at a moment.
func (s *Store) DueRounds(ctx context.Context, at time.Time) ([]model.Round, error) {
	return s.Reader().rounds(ctx, `SELECT `+roundColumns+` FROM rounds
		WHERE status = ? AND closes_at IS NOT NULL AND closes_at <= ? ORDER BY closes_at`, model.StatusOpen, at.UTC())
}

// OutcomeQuery selects closed rounds for the public archive.
type OutcomeQuery struct {
	Text      string // words, all of which a round must hold
	CouncilID int64
	From, To  *time.Time // closed at or after From, before To
	Outcome   string     // one of its proposals reached it
	Limit     int
	Offset    int
}

// Outcomes lists closed rounds, newest first, matching every word of the text (PostgreSQL
// full-text search with the simple configuration; on SQLite, word containment, through the
// trigram index of migration 010).
func (s *Store) Outcomes(ctx context.Context, q OutcomeQuery) ([]model.Round, int, error) {
	where := []string{`status = ?`}
	args := []any{model.StatusClosed}
	if q.CouncilID > 0 {
		where = append(where, `council_id = ?`)
		args = append(args, q.CouncilID)
	}
	if q.From != nil {
		where = append(where, `closed_at >= ?`)
		args = append(args, q.From.UTC())
	}
	if q.To != nil {
		where = append(where, `closed_at < ?`)
		args = append(args, q.To.UTC())
	}
	if q.Outcome != "" {
		where = append(where, `outcomes LIKE ?`)
		args = append(args, "%,"+q.Outcome+",%")
	}
	words := strings.Fields(strings.ToLower(q.Text))
	indexed := false // SQLite: the trigram index narrows the rounds
	if len(words) > 0 {
		if s.dialect == "postgres" {
			where = append(where, `search_tsv @@ plainto_tsquery('simple', ?)`)
			args = append(args, strings.Join(words, " "))
		} else {
			match, err := s.trigramMatch(ctx, words)
			if err != nil {
				return nil, 0, err
			}
			if indexed = match != ""; indexed {
				where = append(where, `id IN (SELECT rowid FROM rounds_search WHERE rounds_search MATCH ?)`)
				args = append(args, match)
			}
			for _, w := range words {
				where = append(where, `instr(search_text, ?) > 0`)
				args = append(args, w)
			}
		}
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := sqlx.GetContext(ctx, s.db, &total, s.rebind(`SELECT COUNT(*) FROM rounds WHERE `+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count outcomes: %w", err)
	}
	order := `closed_at DESC, id DESC`
	if indexed {
		// The few rounds the index found are sorted, rather than the archive read in order
		// until enough of them turn up (the unary + keeps SQLite off the order's index).
		order = `+closed_at DESC, +id DESC`
	}
	rounds, err := s.Reader().rounds(ctx, `SELECT `+roundColumns+` FROM rounds WHERE `+cond+`
		ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	return rounds, total, err
}

// Probing the trigram index: a trigram is counted up to trigramProbe rounds, and at most
// trigramProbes trigrams of a word are counted.
const (
	trigramProbe  = 2000
	trigramProbes = 6
)

// trigramMatch chooses what the trigram index of the archive (SQLite, migration 010) is asked,
// so that a search reads few of its entries however many rounds there are: for each word of
// three characters or more, the one of its trigrams (counted, up to trigramProbe rounds each,
// among its first non-overlapping ones) that the fewest rounds hold. A word each of whose
// trigrams probed is held by trigramProbe rounds or more is not asked of the index (it would
// narrow little). The rounds found are then checked with instr for each whole word, as the
// search always did (a word anywhere in the text, in any case: the text and the words are
// lower-case). "" when no word narrows: instr alone decides, reading every closed round.
func (s *Store) trigramMatch(ctx context.Context, words []string) (string, error) {
	quote := func(x string) string { return `"` + strings.ReplaceAll(x, `"`, `""`) + `"` }
	var terms []string
	for _, w := range words {
		r := []rune(w)
		if len(r) < 3 {
			continue
		}
		var tris []string
		for i := 0; i+3 <= len(r) && len(tris) < trigramProbes; i += 3 {
			tris = append(tris, string(r[i:i+3]))
		}
		if last := string(r[len(r)-3:]); len(tris) < trigramProbes && !slices.Contains(tris, last) {
			tris = append(tris, last)
		}
		best, fewest := "", trigramProbe
		for _, tri := range tris {
			var n int
			err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM (SELECT 1 FROM rounds_search WHERE rounds_search MATCH ? LIMIT ?)`,
				quote(tri), trigramProbe)
			if err != nil {
				return "", fmt.Errorf("store: unable to read the search index: %w", err)
			}
			if n < fewest {
				best, fewest = tri, n
			}
			if n < trigramProbe/40 { // rare enough
				break
			}
		}
		if best != "" {
			terms = append(terms, quote(best))
		}
	}
	return strings.Join(terms, " "), nil
}
