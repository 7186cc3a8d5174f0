package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"council/server/council"
)

// requireViewer answers 401 before a body is even read.
func (s *Server) requireViewer(c *fiber.Ctx) (*council.User, error) {
	u := s.viewer(c)
	if u == nil {
		return nil, council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	}
	return u, nil
}

func (s *Server) listRounds(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	rounds, err := s.svc.Rounds(c.UserContext(), s.viewer(c), cn.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rounds": rounds})
}

func (s *Server) createRound(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in council.RoundInput
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.CreateRound(c.UserContext(), u, cn.ID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) getRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	d, err := s.svc.RoundDetail(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	if d.Status == council.StatusClosed {
		return c.JSON(closedDetail{RoundDetail: d, Results: resultsOf(&d.Round)})
	}
	return c.JSON(d)
}

func (s *Server) updateRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in council.RoundInput
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.UpdateRound(c.UserContext(), u, id, in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type openBody struct {
	ClosesAt *time.Time `json:"closes_at"`
}

func (s *Server) openRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in openBody
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	r, err := s.svc.OpenRound(c.UserContext(), u, id, in.ClosesAt)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

type closeBody struct {
	OutcomeSummary string `json:"outcome_summary"`
}

func (s *Server) closeRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in closeBody
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	r, err := s.svc.CloseRound(c.UserContext(), u, id, in.OutcomeSummary)
	if err != nil {
		return err
	}
	return c.JSON(withResults(r))
}

// A closed round always shows its results, an empty list when it had no proposals (the
// store's Round leaves an empty list out).
type closedRound struct {
	*council.Round
	Results []council.Result `json:"results"`
}

type closedDetail struct {
	*council.RoundDetail
	Results []council.Result `json:"results"`
}

func resultsOf(r *council.Round) []council.Result {
	if r.Results == nil {
		return []council.Result{}
	}
	return r.Results
}

// withResults shows a closed round with its results; other rounds as they are.
func withResults(r *council.Round) any {
	if r == nil || r.Status != council.StatusClosed {
		return r
	}
	return closedRound{Round: r, Results: resultsOf(r)}
}
