package signals

import (
	"context"
	"strings"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// sofia is the municipality's time zone: the analysis counts its months there.
var sofia = mustLoad("Europe/Sofia")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Tracked is a signal as its sender follows it by the tracking code: the signal without the
// sender's name or email, its public answers, its routes with what the councils decided, and
// every status it went through (the private answers' statuses too, without their text).
type Tracked struct {
	Signal  *model.Signal
	History []model.StatusChange
}

// Track finds a signal by its tracking code, for whoever holds the code; any other text is 404.
func (s *Service) Track(ctx context.Context, code string) (*Tracked, error) {
	code, ok := NormaliseCode(code)
	if !ok {
		return nil, errNotFound
	}
	sg, err := s.st.SignalByTracking(ctx, codeHash(code))
	if err != nil {
		return nil, translate(err)
	}
	answers, err := s.st.Answers(ctx, []int64{sg.ID})
	if err != nil {
		return nil, err
	}
	t := &Tracked{Signal: sg, History: []model.StatusChange{{Status: model.SignalReceived, At: sg.CreatedAt}}}
	for _, a := range answers[sg.ID] {
		t.History = append(t.History, model.StatusChange{Status: a.Status, At: a.CreatedAt})
	}
	if err := s.fill(ctx, sg, true, true); err != nil {
		return nil, err
	}
	withoutSender(sg)
	return t, nil
}

// withoutSender leaves out what only officers may see of a signal.
func withoutSender(sg *model.Signal) {
	sg.SenderName, sg.SenderEmail, sg.SenderLang, sg.UserID = "", "", "", nil
}

// RegisterQuery selects published signals.
type RegisterQuery struct {
	Text    string
	Kind    string
	Service string
	Page    int
}

// MaxSearchLength bounds the register's search text, like the archive's.
const MaxSearchLength = council.MaxSearchLength

// Register lists the published signals, newest publication first, each without its sender and
// with its public answers, and how many the filters select in all.
func (s *Service) Register(ctx context.Context, q RegisterQuery) ([]model.Signal, int, error) {
	if err := checkFilters("", q.Kind, q.Service); err != nil {
		return nil, 0, err
	}
	words, err := searchWords(q.Text)
	if err != nil {
		return nil, 0, err
	}
	limit, off := offset(q.Page)
	list, total, err := s.st.Signals(ctx, store.SignalQuery{Kind: q.Kind, Service: q.Service, Words: words, Published: true,
		Limit: limit, Offset: off})
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	answers, err := s.st.Answers(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range list {
		for _, a := range answers[list[i].ID] {
			if a.Public {
				list[i].Answers = append(list[i].Answers, a)
			}
		}
		withoutSender(&list[i])
	}
	return list, total, nil
}

// searchWords keeps the first few different words of a search, lower-case, each cut short.
func searchWords(q string) ([]string, error) {
	if len([]rune(q)) > MaxSearchLength {
		return nil, council.Errorf(council.CodeBadRequest, "The search text is longer than %d characters.", MaxSearchLength)
	}
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(strings.ReplaceAll(q, "\x00", " "))) {
		if r := []rune(w); len(r) > council.MaxSearchWord {
			w = string(r[:council.MaxSearchWord])
		}
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
		if len(words) == council.MaxSearchWords {
			break
		}
	}
	return words, nil
}

// Published reads one signal of the public register (404 for any other), without its sender,
// with its public answers and its routes.
func (s *Service) Published(ctx context.Context, id int64) (*model.Signal, error) {
	sg, err := s.st.Signal(ctx, id)
	if err != nil {
		return nil, translate(err)
	}
	if !sg.Published() {
		return nil, errNotFound
	}
	if err := s.fill(ctx, sg, true, true); err != nil {
		return nil, err
	}
	withoutSender(sg)
	return sg, nil
}
