package council

import (
	"context"

	"github.com/perushtitsa/council/server/model"
)

// RoundView is a round as one viewer reads it: the round and its council, where the viewer
// stands, where a live connection starts (a round not yet closed that the viewer may follow),
// its topics (with their posts, when asked), and its proposals with tallies as the round shows
// them and the viewer's own votes.
type RoundView struct {
	Round     *model.Round
	Council   *model.Council
	Standing  Standing
	Live      *LiveStart
	Topics    []model.Topic
	Proposals []model.Proposal
	// RollCall is who voted how on each proposal, with their reasons: in an open ballot whose
	// tallies show, nil otherwise.
	RollCall map[int64][]model.Vote
}

// RoundView reads a round for the viewer, looking up once where the viewer stands; outcome
// asks for a closed round's topics with their posts, as its outcome page shows them. The live
// start is read before the round's contents, so that nothing committed in between is missed
// (an event seen twice is harmless).
func (s *Service) RoundView(ctx context.Context, viewer *model.User, roundID int64, outcome bool) (*RoundView, error) {
	r, a, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	v := &RoundView{Round: r, Standing: a.standing()}
	if r.Status != model.StatusClosed && (a.canSee() || a.publicOpen) {
		seq, at, err := s.st.LastEvent(ctx, r.CouncilID)
		if err != nil {
			return nil, translate(err)
		}
		v.Live = &LiveStart{Seq: seq, At: at}
	}
	if v.Council, err = s.st.Council(ctx, itoa(r.CouncilID)); err != nil {
		return nil, translate(err)
	}
	if r.Status != model.StatusClosed {
		r.Eligible = v.Council.MemberCount
	}
	rd := s.st.Reader()
	if v.Topics, err = rd.Topics(ctx, r.ID); err != nil {
		return nil, err
	}
	if outcome && r.Status == model.StatusClosed {
		for i := range v.Topics {
			if v.Topics[i].Posts, err = rd.Posts(ctx, v.Topics[i].ID); err != nil {
				return nil, err
			}
			presentPosts(v.Topics[i].Posts, a.canModerate())
		}
	}
	if v.Proposals, err = rd.Proposals(ctx, r.ID); err != nil {
		return nil, err
	}
	if r.Ballot == model.BallotOpen && r.Status != model.StatusDraft && !r.TalliesHidden() {
		if v.RollCall, err = rd.RoundVotes(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	return v, s.fillProposals(ctx, viewer, r, v.Proposals)
}

// TopicView is a topic as one viewer reads it, with its posts, its round and council, where the
// viewer stands and where a live connection starts.
type TopicView struct {
	Topic    *model.Topic
	Round    *model.Round
	Council  *model.Council
	Standing Standing
	Live     *LiveStart
	// PostsTotal is how many posts the topic holds; Topic.Posts may hold one page of them,
	// page Page (from 1).
	PostsTotal, Page int
}

// TopicView reads a topic with its posts for the viewer; hidden posts keep their place and
// reason, and show their text to moderators and admins only.
func (s *Service) TopicView(ctx context.Context, viewer *model.User, topicID int64) (*TopicView, error) {
	return s.topicView(ctx, viewer, topicID, 0)
}

// TopicViewPage reads a topic as TopicView does, with one page (from 1, PageSize posts, oldest
// first) of its posts; LastPage for the last.
func (s *Service) TopicViewPage(ctx context.Context, viewer *model.User, topicID int64, page int) (*TopicView, error) {
	if page != LastPage {
		page = max(page, 1)
	}
	return s.topicView(ctx, viewer, topicID, page)
}

// LastPage asks TopicViewPage for the last page of the posts.
const LastPage = -1

// topicView reads a topic with all its posts (page 0) or one page of them.
func (s *Service) topicView(ctx context.Context, viewer *model.User, topicID int64, page int) (*TopicView, error) {
	rd := s.st.Reader()
	t, err := rd.Topic(ctx, topicID)
	if err != nil {
		return nil, translate(err)
	}
	r, a, err := s.visibleRound(ctx, viewer, t.RoundID)
	if err != nil {
		return nil, err
	}
	v := &TopicView{Topic: t, Round: r, Standing: a.standing()}
	if r.Status != model.StatusClosed && (a.canSee() || a.publicOpen) {
		seq, at, err := s.st.LastEvent(ctx, r.CouncilID)
		if err != nil {
			return nil, translate(err)
		}
		v.Live = &LiveStart{Seq: seq, At: at}
	}
	if v.Council, err = s.st.Council(ctx, itoa(r.CouncilID)); err != nil {
		return nil, translate(err)
	}
	if page == 0 {
		t.Posts, err = rd.Posts(ctx, t.ID)
		v.PostsTotal = len(t.Posts)
	} else {
		limit, offset := PageSize, -1
		if page != LastPage {
			limit, offset = pageBounds(page)
		}
		t.Posts, v.PostsTotal, offset, err = rd.PostsPage(ctx, t.ID, limit, offset)
		v.Page = page
		if page == LastPage {
			v.Page = offset/PageSize + 1
		}
	}
	if err != nil {
		return nil, err
	}
	presentPosts(t.Posts, a.canModerate())
	return v, nil
}

// PostNumbers reads the numbers of some posts of a topic the viewer may read (the posts one
// page replies to on other pages).
func (s *Service) PostNumbers(ctx context.Context, viewer *model.User, topicID int64, ids []int64) (map[int64]int, error) {
	t, err := s.st.Reader().Topic(ctx, topicID)
	if err != nil {
		return nil, translate(err)
	}
	if _, _, err := s.visibleRound(ctx, viewer, t.RoundID); err != nil {
		return nil, err
	}
	return s.st.Reader().PostNumbers(ctx, topicID, ids)
}

// Participation reads how the members of a round not yet closed are taking part, for its
// moderators and admins.
func (s *Service) Participation(ctx context.Context, viewer *model.User, roundID int64) (*model.Participation, error) {
	r, err := s.moderateRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	if r.Status == model.StatusClosed {
		return nil, Conflict(ReasonRoundClosed, "The round is closed: its record lists who took part.")
	}
	rd := s.st.Reader()
	proposals, err := rd.Proposals(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var open []int64
	for _, p := range proposals {
		if p.WithdrawnAt == nil {
			open = append(open, p.ID)
		}
	}
	members, err := rd.Participation(ctx, r.CouncilID, r.ID)
	if err != nil {
		return nil, err
	}
	out := &model.Participation{Eligible: len(members), Proposals: len(open), ByGroup: map[string]model.GroupTurnout{}}
	for _, m := range members {
		g := out.ByGroup[m.Group]
		g.Members++
		if len(m.VotedOn) > 0 {
			g.Voted++
			out.Voted++
		}
		out.ByGroup[m.Group] = g
		if pending := missing(open, m.VotedOn); len(pending) > 0 {
			out.Missing = append(out.Missing, model.MissingVoter{UserID: m.UserID, Name: m.Name, Group: m.Group, Pending: pending})
		}
	}
	return out, nil
}

// missing lists the ids of all that are not in some.
func missing(all, some []int64) []int64 {
	have := map[int64]bool{}
	for _, id := range some {
		have[id] = true
	}
	var out []int64
	for _, id := range all {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out
}

// presentPosts blanks the text of hidden posts for a viewer who may not read it.
func presentPosts(posts []model.Post, moderator bool) {
	for i := range posts {
		if posts[i].Hidden && !moderator {
			posts[i].Body, posts[i].BodyHTML = "", ""
		}
	}
}
