package council

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"council/server/store"
)

// RoundRecord is the full published record of a round.
type RoundRecord struct {
	Round        Round            `json:"round"`
	Results      []Result         `json:"results"`
	Proposals    []RecordProposal `json:"proposals"`
	Participants []VoterInfo      `json:"participants"`
	Topics       []Topic          `json:"topics"`
	Events       []Event          `json:"events"`
}

// RecordProposal is a proposal in the record, with its named votes when the ballot was open.
type RecordProposal struct {
	Proposal
	Votes []Vote `json:"votes,omitempty"`
}

// renderRecord renders a round's record; the bytes are what GET …/record answers, and their
// SHA-256 is what the round publishes. Hidden posts show neither their text nor, in the
// events, the text they had.
func (s *Service) renderRecord(ctx context.Context, rd *store.Reader, r *Round) ([]byte, string, error) {
	rec := RoundRecord{Round: *r, Results: r.Results}
	rec.Round.Results, rec.Round.RecordSHA256 = nil, nil
	if rec.Results == nil {
		rec.Results = []Result{}
	}
	proposals, err := rd.Proposals(ctx, r.ID)
	if err != nil {
		return nil, "", err
	}
	for _, p := range proposals {
		p.BodyHTML = RenderMarkdown(p.Body)
		if talliesHidden(r) {
			p.Tally = nil
		}
		rp := RecordProposal{Proposal: p}
		if r.Ballot == BallotOpen && !talliesHidden(r) {
			if rp.Votes, err = rd.Votes(ctx, p.ID); err != nil {
				return nil, "", err
			}
		}
		rec.Proposals = append(rec.Proposals, rp)
	}
	if rec.Proposals == nil {
		rec.Proposals = []RecordProposal{}
	}
	if rec.Participants, err = rd.Participants(ctx, r.ID); err != nil {
		return nil, "", err
	}
	if rec.Topics, err = rd.Topics(ctx, r.ID); err != nil {
		return nil, "", err
	}
	hidden := map[int64]bool{}
	for i := range rec.Topics {
		t := &rec.Topics[i]
		t.BodyHTML = RenderMarkdown(t.Body)
		if t.Posts, err = rd.Posts(ctx, t.ID); err != nil {
			return nil, "", err
		}
		if t.Posts == nil {
			t.Posts = []Post{}
		}
		for j := range t.Posts {
			presentPost(&t.Posts[j], false)
			hidden[t.Posts[j].ID] = t.Posts[j].Hidden
		}
	}
	var upTo int64
	if r.ClosedSeq != nil {
		upTo = *r.ClosedSeq
	}
	if rec.Events, err = rd.RoundEvents(ctx, r.ID, upTo); err != nil {
		return nil, "", err
	}
	for i := range rec.Events {
		redactHiddenPost(&rec.Events[i], hidden)
	}
	body, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, "", err
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	return body, hex.EncodeToString(sum[:]), nil
}

func redactHiddenPost(ev *Event, hidden map[int64]bool) {
	if ev.Type != "post.created" && ev.Type != "post.edited" {
		return
	}
	var p Post
	if json.Unmarshal(ev.Data, &p) != nil || !hidden[p.ID] {
		return
	}
	p.Body, p.BodyHTML = "", ""
	if raw, err := json.Marshal(p); err == nil {
		ev.Data = raw
	}
}

// Record returns a round's record: for a closed round the stored bytes (and their gzip
// copy), never re-rendered; for a round still in progress (members only) a rendering of its
// state so far, without a digest.
func (s *Service) Record(ctx context.Context, viewer *User, roundID int64) (*store.RecordFile, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusClosed {
		return s.frozenRecord(ctx, r)
	}
	body, _, err := s.renderRecord(ctx, s.st.Reader(), r)
	if err != nil {
		return nil, err
	}
	return &store.RecordFile{Body: body}, nil
}

// frozenRecord returns a closed round's record from the cache or the database, rendering
// and saving it first if the process that closed the round did not get to it.
func (s *Service) frozenRecord(ctx context.Context, r *Round) (*store.RecordFile, error) {
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
func (s *Service) saveRecord(ctx context.Context, r *Round) (*store.RecordFile, error) {
	body, sha, err := s.renderRecord(ctx, s.st.Reader(), r)
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
	f, err := s.st.SaveRecord(ctx, r.ID, store.RecordFile{Body: body, Gzip: gz.Bytes(), SHA256: sha})
	if err != nil {
		return nil, err
	}
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

// RecordCSV renders one row per proposal with its results (or its current tally while open).
func (s *Service) RecordCSV(ctx context.Context, viewer *User, roundID int64) ([]byte, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	proposals, err := s.st.Reader().Proposals(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	results := map[int64]Result{}
	for _, res := range r.Results {
		results[res.ProposalID] = res
	}
	header := []string{"round_id", "round_title", "proposal_id", "proposal_title", "for", "against", "abstain", "voters", "eligible", "outcome"}
	for _, g := range Groups {
		header = append(header, g+"_for", g+"_against", g+"_abstain", g+"_voters", g+"_eligible")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	n := func(v int) string { return strconv.Itoa(v) }
	for _, p := range proposals {
		res, ok := results[p.ID]
		if !ok {
			res = Result{ProposalID: p.ID}
			if r.ResultsVisibility == ResultsLive && p.Tally != nil {
				res.Counts = *p.Tally
			}
		}
		row := []string{itoa(r.ID), csvText(r.Title), itoa(p.ID), csvText(p.Title), n(res.For), n(res.Against), n(res.Abstain), n(res.Voters), n(res.Eligible), res.Outcome}
		for _, g := range Groups {
			gr := res.ByGroup[g]
			row = append(row, n(gr.For), n(gr.Against), n(gr.Abstain), n(gr.Voters), n(gr.Eligible))
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvText keeps a spreadsheet from reading a title as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// MaxEventsPage is the most events one read returns.
const MaxEventsPage = 1000

// Events reads a council's record after a seq, for its members and admins.
func (s *Service) Events(ctx context.Context, viewer *User, councilID, after int64, limit int) ([]Event, int64, error) {
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
	events, err := s.st.EventsAfter(ctx, councilID, after, limit)
	if err != nil {
		return nil, 0, err
	}
	if !a.canModerate() {
		if err := s.redactHiddenEvents(ctx, events); err != nil {
			return nil, 0, err
		}
	}
	return events, last, nil
}

// EventsForReplay reads a council's events after a seq for the live stream's replay and gap
// repair: like the record, it no longer carries the text of posts hidden since.
func (s *Service) EventsForReplay(ctx context.Context, councilID, after int64, limit int) ([]Event, error) {
	events, err := s.st.EventsAfter(ctx, councilID, after, limit)
	if err != nil {
		return nil, err
	}
	return events, s.redactHiddenEvents(ctx, events)
}

// redactHiddenEvents blanks the text that posts hidden since had in their events, as the
// record does, for viewers who may not read hidden posts.
func (s *Service) redactHiddenEvents(ctx context.Context, events []Event) error {
	hidden := map[int64]bool{}
	for i := range events {
		ev := &events[i]
		if ev.Type != "post.created" && ev.Type != "post.edited" {
			continue
		}
		var p Post
		if json.Unmarshal(ev.Data, &p) != nil {
			continue
		}
		if _, known := hidden[p.ID]; !known {
			cur, err := s.st.Reader().Post(ctx, p.ID)
			if err != nil {
				return translate(err)
			}
			hidden[p.ID] = cur.Hidden
		}
		redactHiddenPost(ev, hidden)
	}
	return nil
}

// OutcomesPageSize is how many closed rounds one page of the archive shows.
const OutcomesPageSize = 20

// MaxOutcomesPage is the last page the archive answers; past it a page is empty.
const MaxOutcomesPage = 100000

// Outcomes searches the closed rounds for the public archive; page counts from 1.
func (s *Service) Outcomes(ctx context.Context, q string, councilID int64, page int) ([]Round, int, error) {
	if page < 1 {
		page = 1
	}
	limit := OutcomesPageSize
	if page > MaxOutcomesPage { // nothing is that far back: count, list nothing
		page, limit = 1, 0
	}
	if utf8.RuneCountInString(q) > MaxSearchLength {
		return nil, 0, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("The search text is longer than %d characters.", MaxSearchLength)}
	}
	q = strings.ReplaceAll(q, "\x00", " ") // PostgreSQL refuses NUL in text
	return s.st.Outcomes(ctx, store.OutcomeQuery{Text: searchTerms(q), CouncilID: councilID, Limit: limit, Offset: (page - 1) * OutcomesPageSize})
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
