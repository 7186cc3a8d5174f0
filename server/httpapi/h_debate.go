package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"council/server/council"
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
	var in council.TopicInput
	if err := decode(c, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateTopic(c.UserContext(), u, id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) getTopic(c *fiber.Ctx) error {
	id, err := pathID(c, "topic_id")
	if err != nil {
		return err
	}
	t, err := s.svc.Topic(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	if t.Posts == nil {
		t.Posts = []council.Post{}
	}
	return c.JSON(topicWithPosts{Topic: t, Posts: t.Posts})
}

// topicWithPosts always shows the posts array, even when empty.
type topicWithPosts struct {
	*council.Topic
	Posts []council.Post `json:"posts"`
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
	var in council.PostInput
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.CreatePost(c.UserContext(), u, id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

type bodyOnly struct {
	Body string `json:"body"`
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
	return c.JSON(p)
}

type reasonBody struct {
	Reason string `json:"reason"`
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
	return c.JSON(p)
}
