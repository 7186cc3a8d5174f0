package web

import "github.com/perushtitsa/council/server/model"

// Page is what every page template receives: the frame (language, viewer, CSRF token, live
// connection) and the page's own Data.
type Page struct {
	Lang    string
	Title   string
	Path    string // the request path
	LangURL string // this page in the other language: the path and query, lang switched
	Viewer  *model.User
	CSRF    string
	Notice  string // a translation key shown once at the top (after sign-in, for instance)
	Live    *Live  // set on pages that follow a council's events
	Script  string // the page's module under /static/js/, if any
	Data    any
}

// Live tells the page's script which council to follow and from which event on.
type Live struct {
	CouncilID int64
	RoundID   int64
	TopicID   int64
	LastSeq   int64
	LastAt    string // the "at" of event LastSeq, as the events carry it: the position's identity
}

// HomeData is the home page: the councils and the latest outcomes.
type HomeData struct {
	Councils []model.Council
	Outcomes []OutcomeItem
}

// OutcomeItem is a closed round as the archive lists it.
type OutcomeItem struct {
	Round   model.Round
	Council *model.Council
	Adopted int // proposals adopted
	Total   int // proposals decided
}

// OutcomesData is the searchable archive of closed rounds.
type OutcomesData struct {
	Q           string
	CouncilSlug string // the filters as typed, kept in the form
	From, To    string
	Outcome     string
	Councils    []model.Council
	Filtered    bool              // a filter beside the words narrows the list
	Invalid     map[string]string // filter → field code of what is wrong with it
	Page        int
	Pages       int
	Total       int
	Outcomes    []OutcomeItem
	PrevURL     string
	NextURL     string
}

// CouncilData is a council's page: its rounds and, for moderators, its members.
type CouncilData struct {
	Council     *model.Council
	Rounds      []model.Round // one page of them
	RoundsPage  ListPage
	Members     []model.Member // one page of them
	MembersPage ListPage
	IsMember    bool
	IsModerator bool
	IsAdmin     bool // may edit and archive the council
}

// RoundData is a round's page: live while draft or open, the outcome once closed.
type RoundData struct {
	Council     *model.Council
	Round       model.Round
	Topics      []model.Topic // with Posts on the outcome page
	Proposals   []ProposalView
	IsMember    bool
	IsModerator bool
	RecordURL   string
	CSVURL      string
	XLSXURL     string
	// Participation is, for moderators while the round is open, who is taking part.
	Participation *model.Participation
	Numbers       map[int64]int // post id → its number in its topic, for replies on the outcome page
	ViewerID      int64         // the signed-in viewer (0: none), for what authors may do
	RollCall      bool          // the round shows who voted how (an open ballot whose tallies show)
	CanFollowUp   bool          // the viewer is an officer or an admin
}

// NoQuorum counts the proposals put to the vote (withdrawn ones aside) that have not reached
// the round's quorum yet: closing now would end them without one.
func (d RoundData) NoQuorum() int {
	n := 0
	for _, p := range d.Proposals {
		if p.WithdrawnAt == nil && !QuorumMet(p.Voters, d.Round.Eligible, d.Round.QuorumPercent) {
			n++
		}
	}
	return n
}

// ProposalView is a proposal with its result once the round has closed.
type ProposalView struct {
	model.Proposal
	Result   *model.Result
	Topic    string       // the title of the topic it came from, if any
	Votes    []model.Vote // the roll call of an open ballot whose tallies show; nil otherwise
	RollCall bool         // the roll call is shown (Votes may still be empty)
	// Editable: the viewer wrote it, the round is not closed, it is not withdrawn and nobody
	// has voted on it yet, so its author may edit or withdraw it.
	Editable  bool
	FollowUps []model.FollowUp // the municipality's follow-ups, once adopted
}

// TopicData is a topic's thread.
type TopicData struct {
	Council     *model.Council
	Round       model.Round
	Topic       model.Topic
	IsMember    bool
	IsModerator bool
	CanWrite    bool
	ReplyTo     int64
	Numbers     map[int64]int // post id → its number in the topic, for replies
	// The posts are one page of the topic's: PostsPage pages them, LastPage tells whether
	// posts arriving live belong on it, OffPage links posts replied to on other pages.
	PostsPage ListPage
	LastPage  bool
	OffPage   map[int64]string
	PageSize  int
}

// InvitationData is the page where an invitation is accepted.
type InvitationData struct {
	Token       string
	Invitation  *model.Invitation
	Council     *model.Council
	Error       string            // a translation key
	FieldErrors map[string]string // field → error code, translated beside the field
}

// SigninData is the sign-in form.
type SigninData struct {
	Email string
	Next  string
	Error string // a translation key
}

// MeData lists the viewer's councils and their agenda.
type MeData struct {
	Councils []MyCouncil
	Agenda   []model.AgendaItem // the open rounds of those councils, soonest closing first
}

// MyCouncil is one of the viewer's councils with the viewer's role in it.
type MyCouncil struct {
	Council model.Council
	Role    string
	Group   string
}

// AdminData is the admin page: the councils and the form to create one.
type AdminData struct {
	Councils []model.Council
}

// ErrorData is an error page.
type ErrorData struct {
	Status  int
	Message string // a translation key
}

// PlaceholderID stands for the id in the markup that pages keep in <template> elements for
// their scripts: the script replaces it with the id of what arrived live.
const PlaceholderID = 999999999

// EmptyProposal, EmptyTopic and EmptyPost are the placeholders those <template> elements render.
func EmptyProposal(rollCall bool) ProposalView {
	return ProposalView{Proposal: model.Proposal{ID: PlaceholderID}, RollCall: rollCall}
}

// EmptyOwnProposal is the placeholder of a proposal the viewer (author) has just tabled: it
// comes with its author's edit and withdraw buttons, as after a reload.
func EmptyOwnProposal(rollCall bool, author int64) ProposalView {
	v := EmptyProposal(rollCall)
	v.Author.ID = author
	v.Editable = true
	return v
}

// EmptyTopic is the placeholder topic; see EmptyProposal.
func EmptyTopic() model.Topic { return model.Topic{ID: PlaceholderID} }

// EmptyPost is the placeholder post; see EmptyProposal.
// The author is the viewer's own id for the markup of one's own new post (0: another's).
func EmptyPost(author int64) model.Post {
	return model.Post{ID: PlaceholderID, Author: model.Person{ID: author}}
}
