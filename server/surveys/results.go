package surveys

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Results adds up a survey's responses for a viewer who may read them: while it is open, when
// it shows its results live, whoever may see it; once closed, anyone, for good. Hidden
// free-text answers keep their place with the reason; their text only those who moderate the
// survey read.
func (s *Service) Results(ctx context.Context, viewer *model.User, id int64) (*model.Survey, *model.SurveyResults, error) {
	sv, st, err := s.load(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	if sv.ResultsHidden() {
		return nil, nil, council.Errorf(council.CodeForbidden, "The results of this survey are shown once it closes.")
	}
	responses, err := s.st.Responses(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	res := Tally(sv, responses, st.moderates(sv))
	return sv, res, nil
}

// ResponsesFor returns a survey's responses for a viewer who may read its results (for the
// download of every response), with the text of hidden answers left out.
func (s *Service) ResponsesFor(ctx context.Context, viewer *model.User, id int64) (*model.Survey, []model.Response, error) {
	sv, _, err := s.Results(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	responses, err := s.st.Responses(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	for i := range responses {
		for j, a := range responses[i].Answers {
			if _, hidden := responses[i].Hidden[a.Question]; hidden {
				responses[i].Answers[j].Text = ""
			}
		}
	}
	return sv, responses, nil
}

// Tally adds up responses: per question how many answered, per option (or scale value) how
// many chose it and their share of those who answered, a scale's mean, the free-text answers.
// showHidden keeps the text of hidden answers.
func Tally(sv *model.Survey, responses []model.Response, showHidden bool) *model.SurveyResults {
	res := &model.SurveyResults{Responses: len(responses)}
	byID := map[int]*model.QuestionResult{}
	for _, q := range sv.Questions {
		qr := model.QuestionResult{Question: q}
		for _, o := range labels(q) {
			qr.Options = append(qr.Options, model.OptionCount{Label: o})
		}
		res.Questions = append(res.Questions, qr)
	}
	for i := range res.Questions {
		byID[res.Questions[i].Question.ID] = &res.Questions[i]
	}
	sums := map[int]int{}
	for _, r := range responses {
		for _, a := range r.Answers {
			qr := byID[a.Question]
			if qr == nil {
				continue
			}
			qr.Answered++
			count(qr, a, r, showHidden, sums)
		}
	}
	for i := range res.Questions {
		qr := &res.Questions[i]
		for j := range qr.Options {
			if qr.Answered > 0 {
				qr.Options[j].Share = float64(qr.Options[j].Count) / float64(qr.Answered)
			}
		}
		if qr.Question.Kind == model.QuestionScale && qr.Answered > 0 {
			mean := float64(sums[qr.Question.ID]) / float64(qr.Answered)
			qr.Mean = &mean
		}
	}
	return res
}

// labels are what a question's counts are kept under: its options, or a scale's values.
func labels(q model.Question) []string {
	if q.Kind == model.QuestionScale {
		var out []string
		for v := model.ScaleMin; v <= model.ScaleMax; v++ {
			out = append(out, strconv.Itoa(v))
		}
		return out
	}
	return q.Options
}

func count(qr *model.QuestionResult, a model.Answer, r model.Response, showHidden bool, sums map[int]int) {
	bump := func(i int) {
		if i >= 0 && i < len(qr.Options) {
			qr.Options[i].Count++
		}
	}
	switch {
	case a.Choice != nil:
		bump(*a.Choice)
	case a.Choices != nil:
		for _, c := range a.Choices {
			bump(c)
		}
	case a.Value != nil:
		bump(*a.Value - model.ScaleMin)
		sums[a.Question] += *a.Value
	default:
		t := model.TextAnswer{ID: TextID(r.ID, a.Question), Text: a.Text}
		if reason, hidden := r.Hidden[a.Question]; hidden {
			t.Hidden, t.HiddenReason = true, reason
			if !showHidden {
				t.Text = ""
			}
		}
		qr.Texts = append(qr.Texts, t)
	}
}

// TextID names one free-text answer: its response and question.
func TextID(responseID int64, question int) string {
	return fmt.Sprintf("%d-%d", responseID, question)
}

func parseTextID(id string) (int64, int, bool) {
	r, q, ok := strings.Cut(id, "-")
	rid, err1 := strconv.ParseInt(r, 10, 64)
	qid, err2 := strconv.Atoi(q)
	return rid, qid, ok && err1 == nil && err2 == nil && rid > 0 && qid > 0
}

// MaxHideReason bounds the reason given for hiding an answer.
const MaxHideReason = 500

// HideText hides one free-text answer with a reason: the survey's creator, an admin, or the
// moderators of the survey's council. The answer keeps its place in the results, with the
// reason, and its text leaves every download.
func (s *Service) HideText(ctx context.Context, actor *model.User, id int64, textID, reason string) error {
	if actor == nil {
		return errUnauth
	}
	sv, st, err := s.load(ctx, actor, id)
	if err != nil {
		return err
	}
	if !st.moderates(sv) {
		return council.Errorf(council.CodeForbidden, "Only the survey's creator, an admin or the council's moderators may hide answers.")
	}
	v := council.Validation{}
	reason = strings.TrimSpace(reason)
	checkText(v, "reason", reason, true, MaxHideReason)
	if err := v.Err(); err != nil {
		return err
	}
	rid, q, ok := parseTextID(textID)
	if !ok || q > len(sv.Questions) || sv.Questions[q-1].Kind != model.QuestionText {
		return council.Errorf(council.CodeNotFound, "No such answer.")
	}
	err = s.st.InSurvey(ctx, id, true, func(tx *store.SurveyTx) error { return tx.HideText(ctx, rid, q, reason) })
	if err != nil {
		if translate(err) == errNotFound {
			return council.Errorf(council.CodeNotFound, "No such answer.")
		}
		return translate(err)
	}
	return nil
}
