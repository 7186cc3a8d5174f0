package httpapi

import (
	"time"

	"github.com/perushtitsa/council/server/model"
)

// The answers of the survey endpoints, built from the model's types.

type surveyJSON struct {
	ID            int64          `json:"id"`
	Title         string         `json:"title"`
	Description   string         `json:"description"`
	Audience      string         `json:"audience"`
	CouncilID     *int64         `json:"council_id"`
	Results       string         `json:"results"`
	Status        string         `json:"status"`
	ClosesAt      *time.Time     `json:"closes_at"`
	OpenedAt      *time.Time     `json:"opened_at"`
	ClosedAt      *time.Time     `json:"closed_at"`
	CreatedBy     int64          `json:"created_by"`
	CreatedAt     time.Time      `json:"created_at"`
	ResponseCount int            `json:"response_count"`
	CodesIssued   int            `json:"codes_issued"`
	Questions     []questionJSON `json:"questions"`
}

type questionJSON struct {
	ID       int      `json:"id"`
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required"`
}

func newSurvey(sv *model.Survey) surveyJSON {
	out := surveyJSON{ID: sv.ID, Title: sv.Title, Description: sv.Description, Audience: sv.Audience, CouncilID: sv.CouncilID,
		Results: sv.Results, Status: sv.Status, ClosesAt: sv.ClosesAt, OpenedAt: sv.OpenedAt, ClosedAt: sv.ClosedAt,
		CreatedBy: sv.CreatedBy, CreatedAt: sv.CreatedAt, ResponseCount: sv.Responses, CodesIssued: sv.CodesIssued,
		Questions: make([]questionJSON, len(sv.Questions))}
	for i, q := range sv.Questions {
		out.Questions[i] = questionJSON{ID: q.ID, Kind: q.Kind, Text: q.Text, Options: q.Options, Required: q.Required}
	}
	return out
}

func newSurveys(svs []model.Survey) []surveyJSON {
	out := make([]surveyJSON, len(svs))
	for i := range svs {
		out[i] = newSurvey(&svs[i])
	}
	return out
}

type surveyResultsJSON struct {
	SurveyID  int64                `json:"survey_id"`
	Status    string               `json:"status"`
	Responses int                  `json:"responses"`
	Questions []questionResultJSON `json:"questions"`
}

type questionResultJSON struct {
	ID           int               `json:"id"`
	Kind         string            `json:"kind"`
	Text         string            `json:"text"`
	Answered     int               `json:"answered"`
	Options      []optionCountJSON `json:"options,omitempty"`
	Distribution []scaleCountJSON  `json:"distribution,omitempty"`
	Mean         *float64          `json:"mean,omitempty"`
	Texts        []textAnswerJSON  `json:"texts,omitempty"`
}

type optionCountJSON struct {
	Option string  `json:"option"`
	Count  int     `json:"count"`
	Share  float64 `json:"share"`
}

type scaleCountJSON struct {
	Value int     `json:"value"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

type textAnswerJSON struct {
	ID           string `json:"id"`
	Text         string `json:"text,omitempty"`
	Hidden       bool   `json:"hidden"`
	HiddenReason string `json:"hidden_reason,omitempty"`
}

func newSurveyResults(sv *model.Survey, res *model.SurveyResults) surveyResultsJSON {
	out := surveyResultsJSON{SurveyID: sv.ID, Status: sv.Status, Responses: res.Responses, Questions: []questionResultJSON{}}
	for _, qr := range res.Questions {
		q := questionResultJSON{ID: qr.Question.ID, Kind: qr.Question.Kind, Text: qr.Question.Text, Answered: qr.Answered, Mean: qr.Mean}
		for i, o := range qr.Options {
			if qr.Question.Kind == model.QuestionScale {
				q.Distribution = append(q.Distribution, scaleCountJSON{Value: model.ScaleMin + i, Count: o.Count, Share: o.Share})
			} else {
				q.Options = append(q.Options, optionCountJSON{Option: o.Label, Count: o.Count, Share: o.Share})
			}
		}
		if qr.Question.Kind == model.QuestionText {
			q.Texts = []textAnswerJSON{}
		}
		for _, t := range qr.Texts {
			q.Texts = append(q.Texts, newTextAnswer(t))
		}
		out.Questions = append(out.Questions, q)
	}
	return out
}

func newTextAnswer(t model.TextAnswer) textAnswerJSON {
	return textAnswerJSON{ID: t.ID, Text: t.Text, Hidden: t.Hidden, HiddenReason: t.HiddenReason}
}
