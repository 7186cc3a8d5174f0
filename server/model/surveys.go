package model

import "time"

// Who a survey asks.
const (
	AudiencePublic  = "public"  // anyone, one response per browser
	AudienceCouncil = "council" // a council's members, one each, changeable until the close
	AudienceCodes   = "codes"   // holders of one-time answer codes, printed on slips for a counter
)

// Audiences lists the audiences in the order forms offer them.
var Audiences = []string{AudiencePublic, AudienceCodes, AudienceCouncil}

// Kinds of question.
const (
	QuestionSingle   = "single"   // one of the options
	QuestionMultiple = "multiple" // any of the options
	QuestionScale    = "scale"    // 1 to 5
	QuestionText     = "text"     // free text
)

// QuestionKinds lists the kinds in the order forms offer them.
var QuestionKinds = []string{QuestionSingle, QuestionMultiple, QuestionScale, QuestionText}

// Scale bounds: a scale question is answered with a whole number from ScaleMin to ScaleMax.
const (
	ScaleMin = 1
	ScaleMax = 5
)

// Survey is a set of questions the municipality, or a council, asks. Its states are those of a
// round: draft → open → closed.
type Survey struct {
	ID          int64
	Title       string
	Description string
	Audience    string
	CouncilID   *int64 // the council asked, for AudienceCouncil
	Results     string // ResultsLive or ResultsAfterClose
	Status      string
	Questions   []Question
	ClosesAt    *time.Time
	OpenedAt    *time.Time
	ClosedAt    *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	CodesIssued int // answer codes handed out so far (AudienceCodes)
	Responses   int // responses accepted so far
}

// ResultsHidden reports whether nobody may see the survey's results yet.
func (s *Survey) ResultsHidden() bool {
	return s.Results == ResultsAfterClose && s.Status != StatusClosed
}

// Question is one question of a survey; its ID is its place in the survey, from 1.
type Question struct {
	ID       int
	Kind     string
	Text     string
	Options  []string // for QuestionSingle and QuestionMultiple
	Required bool
}

// HasOptions reports whether the question is answered by choosing among its options.
func (q *Question) HasOptions() bool {
	return q.Kind == QuestionSingle || q.Kind == QuestionMultiple
}

// Answer is the answer to one question: Choice (an index into Options) for a single choice,
// Choices for a multiple choice, Value for a scale, Text for free text.
type Answer struct {
	Question int
	Choice   *int
	Choices  []int
	Value    *int
	Text     string
}

// Response is one accepted set of answers. It carries nothing of whoever sent it: its ID is
// random and orders nothing, and it has no time.
type Response struct {
	ID      int64
	Answers []Answer
	Hidden  map[int]string // question → why a moderator hid its text answer
}

// SurveyResults is what a survey's responses add up to.
type SurveyResults struct {
	Responses int
	Questions []QuestionResult
}

// QuestionResult is one question's part of the results. Answered counts the responses that
// answered it; shares are of Answered.
type QuestionResult struct {
	Question Question
	Answered int
	Options  []OptionCount // the options, or the scale's values from ScaleMin to ScaleMax
	Mean     *float64      // scales only, nil without answers
	Texts    []TextAnswer  // free text, in no order that follows their writing
}

// OptionCount is how many chose one option, or one value of a scale.
type OptionCount struct {
	Label string
	Count int
	Share float64 // 0..1 of the question's answers
}

// TextAnswer is one free-text answer; ID names it for a moderator who hides it.
type TextAnswer struct {
	ID           string
	Text         string
	Hidden       bool
	HiddenReason string
}
