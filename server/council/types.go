package council

import "council/server/store"

// Roles, groups and states named by the API contract.
const (
	SiteAdmin = "admin"
	SiteUser  = "user"

	RoleMember    = "member"
	RoleModerator = "moderator"

	GroupCitizen  = "citizen"
	GroupNGO      = "ngo"
	GroupBusiness = "business"

	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed"

	BallotOpen   = "open"
	BallotSecret = "secret"

	ChoiceFor     = "for"
	ChoiceAgainst = "against"
	ChoiceAbstain = "abstain"

	ResultsLive       = "live"
	ResultsAfterClose = "after_close"

	WithheldSmallGroups = "small_groups"

	OutcomeAdopted  = "adopted"
	OutcomeRejected = "rejected"
	OutcomeNoQuorum = "no_quorum"
)

// defaultVisibility is when a ballot's tallies show unless the moderator says otherwise: a
// secret ballot hides them until the close, since a tally that moves with each vote tells
// whoever knows when someone voted how they voted.
func defaultVisibility(ballot string) string {
	if ballot == BallotSecret {
		return ResultsAfterClose
	}
	return ResultsLive
}

// Groups lists the member groups in the order results show them.
var Groups = []string{GroupCitizen, GroupNGO, GroupBusiness}

// The records the domain works with are the store's rows; these names are the domain's vocabulary.
type (
	User        = store.User
	Person      = store.Person
	Council     = store.Council
	Member      = store.Member
	Membership  = store.Membership
	Invitation  = store.Invitation
	Round       = store.Round
	Counts      = store.Counts
	GroupResult = store.GroupResult
	Result      = store.Result
	Topic       = store.Topic
	Post        = store.Post
	Proposal    = store.Proposal
	Vote        = store.Vote
	VoterInfo   = store.VoterInfo
	Event       = store.Event
)
