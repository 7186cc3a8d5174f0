package council

import (
	"context"
	"errors"

	"council/server/store"
)

// TopicInput is what a member gives to start a topic.
type TopicInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// writableRound finds a round a member is about to write into: visible, the actor a member.
func (s *Service) writableRound(ctx context.Context, actor *User, roundID int64) (*Round, error) {
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
func (s *Service) inOpenRound(ctx context.Context, actor *User, r *Round, notOpen func(status string) error, fn func(*store.Tx, *Round, *Member) error) error {
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
		if cur.Status != StatusOpen {
			return notOpen(cur.Status)
		}
		if cur.ClosesAt != nil && !tx.Now().Before(*cur.ClosesAt) {
			return notOpen(StatusClosed)
		}
		return fn(tx, cur, m)
	})
}

func roundNotOpen(string) error { return errRoundNotOpen }

// CreateTopic starts a topic in an open round.
func (s *Service) CreateTopic(ctx context.Context, actor *User, roundID int64, in TopicInput) (*Topic, error) {
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
	t := &Topic{RoundID: r.ID, Title: in.Title, Body: in.Body, AuthorID: actor.ID, Author: *actorOf(actor)}
	err = s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, cur *Round, _ *Member) error {
		if err := s.checkWrite(ctx, tx, actor.ID, cur, "topics", len(t.Title)+len(t.Body)); err != nil {
			return err
		}
		if err := tx.CreateTopic(ctx, t); err != nil {
			return err
		}
		t.BodyHTML = RenderMarkdown(t.Body)
		_, err := tx.Append(ctx, "topic.created", &r.ID, actorOf(actor), t)
		return err
	})
	return t, err
}

// Topic reads a topic with its posts; hidden posts keep their place and reason, and show
// their text to moderators and admins only.
func (s *Service) Topic(ctx context.Context, viewer *User, topicID int64) (*Topic, error) {
	t, err := s.st.Reader().Topic(ctx, topicID)
	if err != nil {
		return nil, translate(err)
	}
	_, a, err := s.visibleRound(ctx, viewer, t.RoundID)
	if err != nil {
		return nil, err
	}
	t.BodyHTML = RenderMarkdown(t.Body)
	if t.Posts, err = s.st.Reader().Posts(ctx, t.ID); err != nil {
		return nil, err
	}
	for i := range t.Posts {
		presentPost(&t.Posts[i], a.canModerate())
	}
	return t, nil
}

// presentPost renders a post's body, or blanks it when hidden from this viewer.
func presentPost(p *Post, moderator bool) {
	if p.Hidden && !moderator {
		p.Body, p.BodyHTML = "", ""
		return
	}
	p.BodyHTML = RenderMarkdown(p.Body)
}

// PostInput is what a member writes in a topic.
type PostInput struct {
	Body    string `json:"body"`
	ReplyTo *int64 `json:"reply_to"`
}

// CreatePost adds a post to a topic of an open round.
func (s *Service) CreatePost(ctx context.Context, actor *User, topicID int64, in PostInput) (*Post, error) {
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
			v.Add("reply_to", "must be a post of this topic")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &Post{TopicID: topicID, ReplyTo: in.ReplyTo, AuthorID: actor.ID, Author: *actorOf(actor), Body: in.Body}
	err = s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, cur *Round, _ *Member) error {
		if err := s.checkWrite(ctx, tx, actor.ID, cur, "posts", len(p.Body)); err != nil {
			return err
		}
		if err := tx.CreatePost(ctx, p); err != nil {
			return err
		}
		p.BodyHTML = RenderMarkdown(p.Body)
		_, err := tx.Append(ctx, "post.created", &r.ID, actorOf(actor), p)
		return err
	})
	return p, err
}

// postAndRound finds a post and the round it belongs to.
func (s *Service) postAndRound(ctx context.Context, postID int64) (*Post, *Topic, error) {
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
func (s *Service) EditPost(ctx context.Context, actor *User, postID int64, body string) (*Post, error) {
	p, t, err := s.postAndRound(ctx, postID)
	if err != nil {
		return nil, err
	}
	r, err := s.writableRound(ctx, actor, t.RoundID)
	if err != nil {
		return nil, err
	}
	if p.AuthorID != actor.ID {
		return nil, Errorf(CodeForbidden, "Only its author may edit a post.")
	}
	if p.Hidden {
		return nil, Errorf(CodeForbidden, "A hidden post cannot be edited.")
	}
	v := Validation{}
	checkText(v, "body", body, true, MaxBody)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.inOpenRound(ctx, actor, r, roundNotOpen, func(tx *store.Tx, round *Round, _ *Member) error {
		cur, err := tx.Reader().Post(ctx, postID)
		if err != nil {
			return err
		}
		if cur.Hidden { // hidden while the edit waited for the lock
			return Errorf(CodeForbidden, "A hidden post cannot be edited.")
		}
		if err := s.checkWrite(ctx, tx, actor.ID, round, "edits", len(body)); err != nil {
			return err
		}
		if err := tx.EditPost(ctx, cur, body); err != nil {
			return err
		}
		p = cur
		p.BodyHTML = RenderMarkdown(p.Body)
		_, err = tx.Append(ctx, "post.edited", &r.ID, actorOf(actor), p)
		return err
	})
	return p, err
}

// HidePost hides a post with a reason (moderators and admins, in any round state but closed).
func (s *Service) HidePost(ctx context.Context, actor *User, postID int64, reason string) (*Post, error) {
	if actor == nil {
		return nil, errUnauth
	}
	p, t, err := s.postAndRound(ctx, postID)
	if err != nil {
		return nil, err
	}
	r, err := s.moderateRound(ctx, actor, t.RoundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkText(v, "reason", reason, true, MaxTitle)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Status == StatusClosed {
			return Errorf(CodeRoundClosed, "The round is closed; its record no longer changes.")
		}
		if p, err = tx.Reader().Post(ctx, postID); err != nil {
			return err
		}
		if err := tx.HidePost(ctx, p, reason, actor.ID); err != nil {
			return err
		}
		_, err = tx.Append(ctx, "post.hidden", &r.ID, actorOf(actor), map[string]any{"post_id": p.ID, "topic_id": p.TopicID, "reason": reason})
		return err
	})
	if err != nil {
		return nil, err
	}
	presentPost(p, true)
	return p, nil
}
