package web

import "github.com/perushtitsa/council/server/model"

// The pages of accounts, mail and notifications.

// ResetData is the form that asks for a reset link (/reset) and the one that sets a new
// password with it (/reset/{token}).
type ResetData struct {
	Token       string // set on /reset/{token}
	Valid       bool   // the link can still be used
	Email       string
	Sent        bool   // a link was asked for: the same notice whatever the address
	Error       string // a translation key
	FieldErrors map[string]string
}

// AccountData is the viewer's account page: profile, notifications, password, address,
// sessions, personal data.
type AccountData struct {
	Sessions       []model.Session
	CurrentSession int64
	Notify         []NotifyChoice
	Form           string            // the form the errors below belong to
	Error          string            // a translation key
	FieldErrors    map[string]string // field → code
	NewEmail       string            // what was typed in the address form
	MailEnabled    bool
}

// NotifyChoice is one kind of notification with whether the viewer wants it.
type NotifyChoice struct {
	Kind string
	On   bool
}

// NotifyChoices lists the viewer's notifications in the order the page shows them.
func NotifyChoices(n model.Notify) []NotifyChoice {
	out := make([]NotifyChoice, len(model.NotifyKinds))
	for i, k := range model.NotifyKinds {
		out[i] = NotifyChoice{Kind: k, On: n.Wants(k)}
	}
	return out
}

// EmailConfirmData is the page a new address's confirmation link opens.
type EmailConfirmData struct {
	Token string
	Email string // "" when the link is not valid
}

// UnsubscribeData is the page a notification's unsubscribe link opens.
type UnsubscribeData struct {
	Token string
	Kind  string // "" when the link is not valid
	Done  bool
}

// InvitationsData is a council's pending invitations, for its moderators.
type InvitationsData struct {
	Council     *model.Council
	Invitations []model.PendingInvitation
	NewLink     string // the new link of an invitation just sent again
	MailEnabled bool
}

// OutboxData is the admins' view of the outbox.
type OutboxData struct {
	Status   string // the status shown; "" for all
	Statuses []string
	Counts   map[string]int
	Total    int
	Mails    []OutboxMail
	Enabled  bool
}

// OutboxMail is a mail of the outbox with its text as sent (secret links withheld).
type OutboxMail struct {
	model.Mail
	Body string
}
