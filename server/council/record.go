package council

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/record"
	"github.com/perushtitsa/council/server/store"
)

// recordInput reads what a round's record is made of, through rd (the database, or the
// transaction closing the round): hidden posts without their text, named votes only for an
// open ballot whose tallies show, events up to the round's close.
func (s *Service) recordInput(ctx context.Context, rd *store.Reader, r *model.Round) (record.Input, error) {
	in := record.Input{Round: *r, Votes: map[int64][]model.Vote{}}
	var err error
	if in.Proposals, err = rd.Proposals(ctx, r.ID); err != nil {
		return in, err
	}
	if r.TalliesHidden() {
		for i := range in.Proposals {
			in.Proposals[i].Tally = nil
		}
	} else if r.Ballot == model.BallotOpen {
		if in.Votes, err = rd.RoundVotes(ctx, r.ID); err != nil {
			return in, err
		}
	}
	if in.Participants, err = rd.Participants(ctx, r.ID); err != nil {
		return in, err
	}
	if in.Topics, err = rd.Topics(ctx, r.ID); err != nil {
		return in, err
	}
	for i := range in.Topics {
		if in.Topics[i].Posts, err = rd.Posts(ctx, in.Topics[i].ID); err != nil {
			return in, err
		}
		presentPosts(in.Topics[i].Posts, false)
	}
	var upTo int64
	if r.ClosedSeq != nil {
		upTo = *r.ClosedSeq
	}
	in.Events, err = rd.RoundEvents(ctx, r.ID, upTo)
	return in, err
}

// Record returns a round's record: for a closed round the stored bytes (and their gzip
// copy), never re-rendered; for a round still in progress (members only) a rendering of its
// state so far, without a digest.
func (s *Service) Record(ctx context.Context, viewer *model.User, roundID int64) (*model.RecordFile, error) {
	// Only closed rounds' records are kept, and a closed round is public: anyone may have it,
	// without asking the database.
	if f, ok := s.records.get(roundID); ok {
		return f, nil
	}
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	if r.Status == model.StatusClosed {
		return s.frozenRecord(ctx, r)
	}
	in, err := s.recordInput(ctx, s.st.Reader(), r)
	if err != nil {
		return nil, err
	}
	body, _, err := record.Render(in)
	if err != nil {
		return nil, err
	}
	return &model.RecordFile{Body: body}, nil
}

// frozenRecord returns a closed round's record from the cache or the database, rendering
// and saving it first if the process that closed the round did not get to it.
func (s *Service) frozenRecord(ctx context.Context, r *model.Round) (*model.RecordFile, error) {
	if f, ok := s.records.get(r.ID); ok {
		return f, nil
	}
	f, err := s.st.Record(ctx, r.ID)
	if errors.Is(err, store.ErrNotFound) {
		return s.saveRecord(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	s.records.put(r.ID, f)
	return f, nil
}

// saveRecord renders a closed round's record, compresses it and keeps it; when another
// process saved one first, that one is returned (the two are the same bytes).
func (s *Service) saveRecord(ctx context.Context, r *model.Round) (*model.RecordFile, error) {
	in, err := s.recordInput(ctx, s.st.Reader(), r)
	if err != nil {
		return nil, err
	}
	body, sha, err := record.Render(in)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	f, err := s.st.SaveRecord(ctx, r.ID, model.RecordFile{Body: body, Gzip: gz.Bytes(), SHA256: sha})
	if err != nil {
		return nil, err
	}
	s.versions.roundChanged(r.ID) // its page shows the record's digest
	s.records.put(r.ID, f)
	return f, nil
}

// RecordPending renders the records of closed rounds that have none yet: a process that
// closed a round and stopped before rendering it leaves it to whichever process comes next.
func (s *Service) RecordPending(ctx context.Context) error {
	ids, err := s.st.UnrecordedRounds(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		r, err := s.st.Reader().Round(ctx, id)
		if err != nil {
			return err
		}
		if _, err := s.saveRecord(ctx, r); err != nil {
			return err
		}
		s.log.Info("rendered a closed round's pending record", "round", id)
	}
	return nil
}

// RecordCSV renders one row per proposal with its results (or its current tally while open
// and shown).
func (s *Service) RecordCSV(ctx context.Context, viewer *model.User, roundID int64) ([]byte, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	proposals, err := s.st.Reader().Proposals(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if err := s.fillProposals(ctx, nil, r, proposals); err != nil {
		return nil, err
	}
	return record.ResultsCSV(r, proposals)
}

// MaxEventsPage is the most events one read returns.
const MaxEventsPage = 1000

// Events reads a council's record after a seq, for its members and admins; the text of posts
// hidden since is left out for anyone but its moderators.
func (s *Service) Events(ctx context.Context, viewer *model.User, councilID, after int64, limit int) ([]model.Event, int64, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return nil, 0, err
	}
	if !a.signedIn() {
		return nil, 0, errUnauth
	}
	if !a.canSee() {
		return nil, 0, Errorf(CodeForbidden, "Only members of this council may read its record.")
	}
	last, err := s.st.LastSeq(ctx, councilID)
	if err != nil {
		return nil, 0, translate(err)
	}
	evs, err := s.st.EventsAfter(ctx, councilID, after, limit, !a.canModerate())
	return evs, last, err
}

// EventsForReplay reads a council's events after a seq for the live stream's replay and gap
// repair: like the record, it no longer carries the text of posts hidden since.
func (s *Service) EventsForReplay(ctx context.Context, councilID, after int64, limit int) ([]model.Event, error) {
	evs, err := s.st.EventsAfter(ctx, councilID, after, limit, true)
	for i := range evs {
		// What an event does to live connections is not stored beside it: read back, it is
		// told again from its payload, so that a removal that reaches a process through the
		// record (a gap filled, a lost broker message) still closes the removed member's socket.
		evs[i].Evicts, evs[i].ClosesPublic = events.Effects(evs[i].Type, evs[i].Data)
	}
	return evs, err
}

// PageSize is how many items one page of a list holds.
const PageSize = 20

// MaxPage is the last page a list answers; past it a page is empty.
const MaxPage = 100000

// pageBounds turns a page number (from 1) into a limit and an offset; a page past MaxPage
// lists nothing.
func pageBounds(page int) (limit, offset int) {
	page = max(page, 1)
	if page > MaxPage {
		return 0, 0
	}
	return PageSize, (page - 1) * PageSize
}

// OutcomeFilter is what the public archive asks for: words in the round, its council, when it
// closed (From inclusive, To exclusive), an outcome one of its proposals reached, a page from 1.
type OutcomeFilter struct {
	Q         string
	CouncilID int64
	From, To  *time.Time
	Outcome   string
	Page      int
}

// Outcomes searches the closed rounds for the public archive, newest first.
func (s *Service) Outcomes(ctx context.Context, f OutcomeFilter) ([]model.Round, int, error) {
	page, limit := max(f.Page, 1), PageSize
	if page > MaxPage { // nothing is that far back: count, list nothing
		page, limit = 1, 0
	}
	v := Validation{}
	if utf8.RuneCountInString(f.Q) > MaxSearchLength {
		v.Add("q", FieldTooLong, fmt.Sprintf("must be at most %d characters", MaxSearchLength))
	}
	if f.Outcome != "" {
		checkChoice(v, "outcome", f.Outcome, model.OutcomeAdopted, model.OutcomeRejected, model.OutcomeNoQuorum)
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		v.Add("to", FieldInvalid, "must come after from")
	}
	if err := v.Err(); err != nil {
		e, _ := AsError(err)
		e.Code, e.Message = CodeBadRequest, "The archive's filters are not valid."
		return nil, 0, e
	}
	q := strings.ReplaceAll(f.Q, "\x00", " ") // PostgreSQL refuses NUL in text
	return s.st.Outcomes(ctx, store.OutcomeQuery{Text: searchTerms(q), CouncilID: f.CouncilID, From: f.From, To: f.To,
		Outcome: f.Outcome, Limit: limit, Offset: (page - 1) * PageSize})
}

// Search bounds: a longer text is refused; past so many words, or so long a word, the rest is
// not searched for (a query of a thousand words costs the database more than it finds).
const (
	MaxSearchLength = 500
	MaxSearchWords  = 12
	MaxSearchWord   = 64
)

// searchTerms keeps the first MaxSearchWords different words of q, each cut to MaxSearchWord
// characters.
func searchTerms(q string) string {
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if r := []rune(w); len(r) > MaxSearchWord {
			w = string(r[:MaxSearchWord])
		}
		if seen[w] {
			continue
		}
		seen[w] = true
		if words = append(words, w); len(words) == MaxSearchWords {
			break
		}
	}
	return strings.Join(words, " ")
}

// RecordXLSX renders a round's record as a spreadsheet, as the viewer may see it.
func (s *Service) RecordXLSX(ctx context.Context, viewer *model.User, roundID int64) ([]byte, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	in, err := s.recordInput(ctx, s.st.Reader(), r)
	if err != nil {
		return nil, err
	}
	return record.Workbook(in)
}
