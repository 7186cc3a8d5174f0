package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
)

func (s *Server) createProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in proposalBody
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.CreateProposal(c.UserContext(), u, id, council.ProposalInput{Title: in.Title, Body: in.Body, TopicID: in.TopicID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newProposal(p))
}

func (s *Server) editProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in proposalEditBody
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.EditProposal(c.UserContext(), u, id, in.Title, in.Body)
	if err != nil {
		return err
	}
	return c.JSON(newProposal(p))
}

func (s *Server) withdrawProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	if err := s.svc.WithdrawProposal(c.UserContext(), s.viewer(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) getProposal(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	p, err := s.svc.Proposal(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(newProposal(p))
}

func (s *Server) castVote(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in voteBody
	if err := decode(c, &in); err != nil {
		return err
	}
	tally, err := s.svc.CastVote(c.UserContext(), u, id, in.Choice, in.Reason)
	if err != nil {
		return err
	}
	s.metrics.votes.Inc()
	return c.JSON(fiber.Map{"proposal_id": id, "choice": in.Choice, "tally": newCounts(tally)})
}

func (s *Server) withdrawVote(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	if err := s.svc.WithdrawVote(c.UserContext(), s.viewer(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listVotes(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	votes, err := s.svc.Votes(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"votes": newVotes(votes)})
}
