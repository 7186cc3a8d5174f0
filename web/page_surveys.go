package web

import (
	"html/template"

	"github.com/perushtitsa/council/server/model"
)

// SurveysData is the list of surveys: open ones to answer, closed ones with their results,
// and the viewer's drafts.
type SurveysData struct {
	Open      []model.Survey
	Closed    []model.Survey
	Drafts    []model.Survey
	CanCreate bool
}

// SurveyData is a survey's page: the form to answer it (without scripts, on a phone), or
// what became of it; for whoever manages it, the buttons to open, close and print slips.
type SurveyData struct {
	Survey      model.Survey
	Council     *model.Council
	Manage      bool
	Moderate    bool
	Results     bool // the viewer may read the results now
	CanAnswer   bool // the form is shown
	Answered    bool // this member or browser has answered already
	Changing    bool // a member changes the answers they gave
	NeedsCode   bool
	NeedsSignIn bool
	Code        string
	Values      map[int]AnswerValue // question → what the form shows chosen or written
	FieldErrors map[string]string   // field → error code
	Error       string              // a translation key
	Thanks      bool
	Scale       []int // a scale question's values
}

// AnswerValue is what the form shows for one question.
type AnswerValue struct {
	Chosen map[int]bool // options chosen
	Value  int          // a scale's value; 0: none
	Text   string
}

// SurveyResultsData is a survey's results: a chart and a table of figures per question, the
// free-text answers, the downloads.
type SurveyResultsData struct {
	Survey       model.Survey
	Council      *model.Council
	Results      model.SurveyResults
	Charts       map[int]template.HTML // question → its chart
	Means        map[int]string        // question → a scale's mean, written for the page's language
	Moderate     bool
	CSVURL       string
	XLSXURL      string
	ResponsesURL string
}

// SlipsData is the printable page of answer slips, or the form that asks how many to print.
type SlipsData struct {
	Survey      model.Survey
	Slips       []Slip
	Count       int
	Max         int
	FieldErrors map[string]string
}

// Slip is one printed slip: its code, the link that opens the survey with the code filled in,
// and that link as a QR code.
type Slip struct {
	Code string
	URL  string
	QR   template.HTML
}

// SurveyFormData is the form that writes a new survey or changes a draft, with a fixed number
// of question slots so that it works without scripts; empty slots are left out.
type SurveyFormData struct {
	Survey      *model.Survey // nil for a new survey
	Title       string
	Description string
	Audience    string
	CouncilID   int64
	Results     string
	ClosesAt    string // as a datetime-local input holds it, in Sofia's time
	Questions   []QuestionForm
	Audiences   []string
	Councils    []model.Council // the councils whose members the viewer may ask
	Kinds       []string
	FieldErrors map[string]string
	Error       string
}

// QuestionForm is one question slot of the survey form.
type QuestionForm struct {
	N        int
	Kind     string
	Text     string
	Options  string // one per line
	Required bool
}
