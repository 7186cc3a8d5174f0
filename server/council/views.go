package council

import (
	"context"

	"council/server/model"
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
	if r.Status != model.StatusClosed && a.canSee() {
		seq, at, err := s.st.LastEvent(ctx, r.CouncilID)
		if err != nil {
			return nil, translate(err)
		}
		v.Live = &LiveStart{Seq: seq, At: at}
	}
	if v.Council, err = s.st.Council(ctx, itoa(r.CouncilID)); err != nil {
		return nil, translate(err)
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
}

// TopicView reads a topic with its posts for the viewer; hidden posts keep their place and
// reason, and show their text to moderators and admins only.
func (s *Service) TopicView(ctx context.Context, viewer *model.User, topicID int64) (*TopicView, error) {
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
	if r.Status != model.StatusClosed && a.canSee() {
		seq, at, err := s.st.LastEvent(ctx, r.CouncilID)
		if err != nil {
			return nil, translate(err)
		}
		v.Live = &LiveStart{Seq: seq, At: at}
	}
	if v.Council, err = s.st.Council(ctx, itoa(r.CouncilID)); err != nil {
		return nil, translate(err)
	}
	if t.Posts, err = rd.Posts(ctx, t.ID); err != nil {
		return nil, err
	}
	presentPosts(t.Posts, a.canModerate())
	return v, nil
}

// presentPosts blanks the text of hidden posts for a viewer who may not read it.
func presentPosts(posts []model.Post, moderator bool) {
	for i := range posts {
		if posts[i].Hidden && !moderator {
			posts[i].Body, posts[i].BodyHTML = "", ""
		}
	}
}
