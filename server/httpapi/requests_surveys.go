package httpapi

import (
	"time"

	"github.com/perushtitsa/council/server/surveys"
)

// The bodies of the survey endpoints (docs/api.md, "Surveys").

type surveyBody struct {
	Title       *string         `json:"title"`
	Description *string         `json:"description"`
	Audience    *string         `json:"audience"`
	CouncilID   *int64          `json:"council_id"`
	Results     *string         `json:"results"`
	ClosesAt    *time.Time      `json:"closes_at"`
	Questions   *[]questionBody `json:"questions"`
}

type questionBody struct {
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Options  []string `json:"options"`
	Required bool     `json:"required"`
}

func (b surveyBody) input() surveys.Input {
	in := surveys.Input{Title: b.Title, Description: b.Description, Audience: b.Audience, CouncilID: b.CouncilID,
		Results: b.Results, ClosesAt: b.ClosesAt}
	if b.Questions != nil {
		qs := make([]surveys.QuestionInput, len(*b.Questions))
		for i, q := range *b.Questions {
			qs[i] = surveys.QuestionInput{Kind: q.Kind, Text: q.Text, Options: q.Options, Required: q.Required}
		}
		in.Questions = &qs
	}
	return in
}

type codesBody struct {
	Count int `json:"count"`
}

type responseBody struct {
	Answers []answerBody `json:"answers"`
	Code    string       `json:"code"`
	Receipt string       `json:"receipt"`
}

type answerBody struct {
	Question int     `json:"question"`
	Choice   *int    `json:"choice"`
	Choices  []int   `json:"choices"`
	Value    *int    `json:"value"`
	Text     *string `json:"text"`
}

func (b responseBody) input() surveys.ResponseInput {
	in := surveys.ResponseInput{Code: b.Code, Receipt: b.Receipt, Answers: make([]surveys.AnswerInput, len(b.Answers))}
	for i, a := range b.Answers {
		in.Answers[i] = surveys.AnswerInput{Question: a.Question, Choice: a.Choice, Choices: a.Choices, Value: a.Value, Text: a.Text}
	}
	return in
}
