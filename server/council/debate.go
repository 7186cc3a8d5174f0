package council

import (
	"context"
	"errors"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// TopicInput is what a member gives to start a topic.
type TopicInput struct {
	Title string
	Body  string
}

// writableRound finds a round a member is about to write into: visible, the actor a member.
func (s *Service) writableRound(ctx context.Context, actor *model.User, roundID int64) (*model.Round, error) {
	if actor == nil {
		return nil, errUnauth
	}
	r, a, err := s.visibleRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	if err := a.requireMember(); err != nil {
		return nil, err
	}
	return r, nil
}

// inOpenRound runs fn in the council's transaction once it holds the lock and has checked,
// under it, that the actor still has a seat and the round is open and not past its closing
// time (the scheduler may not have got to it yet: past the deadline nothing more goes in).
func (s *Service) inOpenRound(ctx context.Context, actor *model.User, r *model.Round, notOpen func(status string) error, fn func(*store.Tx, *model.Round, *model.Member) error) error {
	return s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		m, err := tx.Membership(ctx, actor.ID)
		if errors.Is(err, store.ErrNotFound) {
			return Errorf(CodeForbidden, "Only members of this council may do this.")
		}
		if err != nil {
			return err
		}
		cur, err := tx.LockRound(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Status != model.StatusOpen {
			return notOpen(cur.Status)
		}
		if cur.ClosesAt != nil && !tx.Now().Before(*cur.ClosesAt) {
			return notOpen(model.StatusClosed)
		}
		return fn(tx, cur, m)
	})
}

func roundNotOpen(string) error { return errRoundNotOpen }

// CreateTopic starts a topic in an open round.
func (s *Service) CreateTopic(ctx context.Context, actor *model.User, roundID int64, in TopicInput) (*model.Topic, error) {
	r, err := s.writableRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkText(v, "title", in.Title, true, MaxTitle)
	checkText(v, "body", in.Body, true, MaxBody)
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := &model.Topic{RoundID: r.ID, Title: in.Title, Body: in.Body, BodyHTML: s.md.Render(in.Body), Author: *actor.Person()}
	err = s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, cur *model.Round, _ *model.Member) error {
		if err := s.checkWrite(ctx, tx, actor.ID, cur, store.WriteTopics, len(t.Title)+len(t.Body)); err != nil {
			return err
		}
		if err := tx.CreateTopic(ctx, t); err != nil {
			return err
		}
		_, err := emit(ctx, tx, r, actor.Person(), events.NewTopic(t))
		return err
	})
	return t, err
}

// PostInput is what a member writes in a topic.
type PostInput struct {
	Body    string
	ReplyTo *int64
}

// CreatePost adds a post to a topic of an open round.
func (s *Service) CreatePost(ctx context.Context, actor *model.User, topicID int64, in PostInput) (*model.Post, error) {
	t, err := s.st.Reader().Topic(ctx, topicID)
	if err != nil {
		return nil, translate(err)
	}
	r, err := s.writableRound(ctx, actor, t.RoundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkText(v, "body", in.Body, true, MaxBody)
	if in.ReplyTo != nil {
		if parent, err := s.st.Reader().Post(ctx, *in.ReplyTo); err != nil || parent.TopicID != topicID {
			v.Add("reply_to", FieldInvalid, "must be a post of this topic")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &model.Post{TopicID: topicID, ReplyTo: in.ReplyTo, Author: *actor.Person(), Body: in.Body, BodyHTML: s.md.Render(in.Body)}
	err = s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, cur *model.Round, _ *model.Member) error {
		if err := s.checkWrite(ctx, tx, actor.ID, cur, store.WritePosts, len(p.Body)); err != nil {
			return err
		}
		if err := tx.CreatePost(ctx, p); err != nil {
			return err
		}
		_, err := emit(ctx, tx, r, actor.Person(), events.NewPost(events.PostCreated, p))
		return err
	})
	return p, err
}

// postAndTopic finds a post and its topic.
func (s *Service) postAndTopic(ctx context.Context, postID int64) (*model.Post, *model.Topic, error) {
	p, err := s.st.Reader().Post(ctx, postID)
	if err != nil {
		return nil, nil, translate(err)
	}
	t, err := s.st.Reader().Topic(ctx, p.TopicID)
	if err != nil {
		return nil, nil, translate(err)
	}
	return p, t, nil
}

// EditPost lets an author change a post while the round is open; the earlier text is kept.
func (s *Service) EditPost(ctx context.Context, actor *model.User, postID int64, body string) (*model.Post, error) {
	p, t, err := s.postAndTopic(ctx, postID)
	if err != nil {
		return nil, err
	}
	r, err := s.writableRound(ctx, actor, t.RoundID)
	if err != nil {
		return nil, err
	}
	if p.Author.ID != actor.ID {
		return nil, Errorf(CodeForbidden, "Only its author may edit a post.")
	}
	if p.Hidden {
		return nil, Errorf(CodeForbidden, "A hidden post cannot be edited.")
	}
	if p.DeletedAt != nil {
		return nil, Conflict(ReasonPostDeleted, "The post has been deleted.")
	}
	v := Validation{}
	checkText(v, "body", body, true, MaxBody)
	if err := v.Err(); err != nil {
		return nil, err
	}
	html := s.md.Render(body)
	err = s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, round *model.Round, _ *model.Member) error {
		cur, err := tx.Reader().Post(ctx, postID)
		if err != nil {
			return err
		}
		if cur.Hidden { // hidden while the edit waited for the lock
			return Errorf(CodeForbidden, "A hidden post cannot be edited.")
		}
		if cur.DeletedAt != nil {
			return Conflict(ReasonPostDeleted, "The post has been deleted.")
		}
		if err := s.checkWrite(ctx, tx, actor.ID, round, "", len(body)); err != nil {
			return err
		}
		if err := tx.EditPost(ctx, cur, body, html); err != nil {
			return err
		}
		p = cur
		_, err = emit(ctx, tx, r, actor.Person(), events.NewPost(events.PostEdited, p))
		return err
	})
	return p, err
}

// moderatePost runs fn under the council's lock on a post of a round that is not closed (its
// record no longer changes once it is), for a moderator's action; the body's problems (v) are
// answered once the moderator is known to be one.
func (s *Service) moderatePost(ctx context.Context, actor *model.User, postID int64, v Validation, fn func(*store.Tx, *model.Round, *model.Post) error) error {
	if actor == nil {
		return errUnauth
	}
	_, t, err := s.postAndTopic(ctx, postID)
	if err != nil {
		return err
	}
	r, err := s.moderateRound(ctx, actor, t.RoundID)
	if err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Status == model.StatusClosed {
			return Errorf(CodeRoundClosed, "The round is closed; its record no longer changes.")
		}
		p, err := tx.Reader().Post(ctx, postID)
		if err != nil {
			return err
		}
		if p.DeletedAt != nil {
			return Conflict(ReasonPostDeleted, "The post has been deleted by its author.")
		}
		return fn(tx, cur, p)
	})
}

// HidePost hides a post with a reason (moderators and admins, in any round state but closed).
func (s *Service) HidePost(ctx context.Context, actor *model.User, postID int64, reason string) (*model.Post, error) {
	v := Validation{}
	checkText(v, "reason", reason, true, MaxTitle)
	var out *model.Post
	err := s.moderatePost(ctx, actor, postID, v, func(tx *store.Tx, r *model.Round, p *model.Post) error {
		if err := tx.HidePost(ctx, p, reason, actor.ID); err != nil {
			return err
		}
		out = p
		_, err := emit(ctx, tx, r, actor.Person(), events.Hidden{PostID: p.ID, TopicID: p.TopicID, Reason: reason})
		return err
	})
	return out, err
}

// UnhidePost shows a hidden post again (moderators and admins, while the round is not closed).
func (s *Service) UnhidePost(ctx context.Context, actor *model.User, postID int64) (*model.Post, error) {
	var out *model.Post
	err := s.moderatePost(ctx, actor, postID, nil, func(tx *store.Tx, r *model.Round, p *model.Post) error {
		if !p.Hidden {
			return Conflict(ReasonNotHidden, "The post is not hidden.")
		}
		if err := tx.UnhidePost(ctx, p); err != nil {
			return err
		}
		out = p
		_, err := emit(ctx, tx, r, actor.Person(), events.NewPostRef(events.PostUnhidden, p))
		return err
	})
	return out, err
}

// DeletePost lets its author delete a post while the round is open: its place stays in the
// record, marked deleted by its author, and its text — this version and the earlier ones — is
// gone, from its events too.
func (s *Service) DeletePost(ctx context.Context, actor *model.User, postID int64) error {
	p, t, err := s.postAndTopic(ctx, postID)
	if err != nil {
		return err
	}
	r, err := s.writableRound(ctx, actor, t.RoundID)
	if err != nil {
		return err
	}
	if p.Author.ID != actor.ID {
		return Errorf(CodeForbidden, "Only its author may delete a post.")
	}
	return s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, cur *model.Round, _ *model.Member) error {
		p, err := tx.Reader().Post(ctx, postID)
		if err != nil {
			return err
		}
		if p.DeletedAt != nil {
			return Conflict(ReasonPostDeleted, "The post has been deleted already.")
		}
		if err := tx.DeletePost(ctx, p); err != nil {
			return err
		}
		_, err = emit(ctx, tx, cur, actor.Person(), events.NewPostRef(events.PostDeleted, p))
		return err
	})
}

// Preview renders Markdown as a post, a topic or a proposal would show it.
func (s *Service) Preview(body string) (string, error) {
	v := Validation{}
	checkText(v, "body", body, false, MaxBody)
	if err := v.Err(); err != nil {
		return "", err
	}
	return s.md.Render(body), nil
}
