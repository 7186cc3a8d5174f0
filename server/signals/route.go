package signals

import (
	"context"
	"fmt"
	"strings"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// RouteInput names the council a signal goes to and, optionally, the round.
type RouteInput struct {
	CouncilID int64
	RoundID   *int64
}

// Route takes a signal to a council as a topic quoting it without its sender (see
// council.RouteTopic for the round it goes into); the topic is nil while it waits for the
// council's next round.
func (s *Service) Route(ctx context.Context, actor *model.User, id int64, in RouteInput) (*model.Topic, error) {
	if err := council.RequireStaff(actor); err != nil {
		return nil, err
	}
	sg, err := s.st.Signal(ctx, id)
	if err != nil {
		return nil, translate(err)
	}
	cn, err := s.councils.Council(ctx, fmt.Sprint(in.CouncilID))
	if in.CouncilID <= 0 || err != nil {
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		return nil, council.FieldError(council.CodeValidation, "No such council.", "council_id", council.FieldInvalid, "must be a council")
	}
	return s.councils.RouteTopic(ctx, actor, cn.ID, in.RoundID, council.RoutedTopic{SignalID: sg.ID, Title: sg.Title, Body: quote(sg)})
}

func isNotFound(err error) bool {
	ce, ok := council.AsError(err)
	return ok && ce.Code == council.CodeNotFound
}

// kindNames are the kinds as the council's topic names them: the debate is in Bulgarian.
var kindNames = map[string]string{
	model.KindComplaint: "Жалба",
	model.KindSignal:    "Сигнал",
	model.KindProposal:  "Предложение",
	model.KindPraise:    "Похвала",
}

// quote is the Markdown body of a routed signal's topic: what it is, about which service, when
// it came, and its text quoted, without its sender's name or email.
func quote(sg *model.Signal) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s № %d** относно услугата „%s“, получен(а) на %s. Текстът е цитиран без името и адреса на подателя.\n\n",
		kindNames[sg.Kind], sg.ID, escapeMarkdown(sg.Service.Name), sg.CreatedAt.In(sofia).Format("02.01.2006"))
	for _, line := range strings.Split(strings.ReplaceAll(sg.Body, "\r\n", "\n"), "\n") {
		b.WriteString("> ")
		b.WriteString(escapeMarkdown(line))
		b.WriteString("\n")
	}
	return b.String()
}

// escapeMarkdown writes text so that Markdown shows it as it is: every ASCII punctuation mark
// that could start a link, an emphasis or a block is escaped.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~=&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
