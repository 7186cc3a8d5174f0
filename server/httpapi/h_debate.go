package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
)

func (s *Server) createTopic(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in topicBody
	if err := decode(c, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateTopic(c.UserContext(), u, id, council.TopicInput{Title: in.Title, Body: in.Body})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newTopic(t))
}

func (s *Server) getTopic(c *fiber.Ctx) error {
	id, err := pathID(c, "topic_id")
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	v, err := s.svc.TopicViewPage(c.UserContext(), s.viewer(c), id, page)
	if err != nil {
		return err
	}
	out := topicWithPostsJSON{topicJSON: newTopic(v.Topic), Posts: make([]postJSON, len(v.Topic.Posts)),
		Page: page, Total: v.PostsTotal}
	for i := range v.Topic.Posts {
		out.Posts[i] = newPost(&v.Topic.Posts[i])
	}
	return c.JSON(out)
}

func (s *Server) createPost(c *fiber.Ctx) error {
	id, err := pathID(c, "topic_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in postBody
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.CreatePost(c.UserContext(), u, id, council.PostInput{Body: in.Body, ReplyTo: in.ReplyTo})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newPost(p))
}

func (s *Server) editPost(c *fiber.Ctx) error {
	id, err := pathID(c, "post_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in bodyOnly
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.EditPost(c.UserContext(), u, id, in.Body)
	if err != nil {
		return err
	}
	return c.JSON(newPost(p))
}

func (s *Server) hidePost(c *fiber.Ctx) error {
	id, err := pathID(c, "post_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in reasonBody
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.HidePost(c.UserContext(), u, id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(newPost(p))
}

func (s *Server) deletePost(c *fiber.Ctx) error {
	id, err := pathID(c, "post_id")
	if err != nil {
		return err
	}
	if err := s.svc.DeletePost(c.UserContext(), s.viewer(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) unhidePost(c *fiber.Ctx) error {
	id, err := pathID(c, "post_id")
	if err != nil {
		return err
	}
	p, err := s.svc.UnhidePost(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(newPost(p))
}

// preview renders Markdown as a post, proposal or topic would show it, for the signed in.
func (s *Server) preview(c *fiber.Ctx) error {
	if _, err := s.requireViewer(c); err != nil {
		return err
	}
	var in bodyOnly
	if err := decode(c, &in); err != nil {
		return err
	}
	html, err := s.svc.Preview(in.Body)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"body_html": html})
}
