package council

import (
	"context"
	"errors"
	"time"
)

// CloseDue closes every open round whose closing time has passed, as if a moderator had
// closed it with an empty summary. Several processes may run it at once: the council lock
// lets one of them close each round, and the others find it closed and move on.
func (s *Service) CloseDue(ctx context.Context) (int, error) {
	due, err := s.st.DueRounds(ctx, s.now())
	if err != nil {
		return 0, err
	}
	closed := 0
	var failed error
	for _, r := range due {
		_, err := s.closeRound(ctx, nil, r.CouncilID, r.ID, "")
		switch {
		case errors.Is(err, errAlreadyClosed):
		case err != nil:
			// One round that cannot close must not keep the others open past their time.
			s.log.Error("unable to close a round on schedule", "round", r.ID, "council", r.CouncilID, "err", err)
			failed = err
		default:
			closed++
			s.log.Info("round closed on schedule", "round", r.ID, "council", r.CouncilID)
		}
	}
	return closed, failed
}

// RunScheduler closes due rounds every interval until ctx ends, renders the records that a
// stopped process left unrendered, and now and then clears expired sessions and old sign-in
// failures. Each pass waits for the database at most limit,
// so a database that stops answering delays the next pass instead of hanging the scheduler;
// rounds a pass could not close are closed by the next.
func (s *Service) RunScheduler(ctx context.Context, every, limit time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastSweep := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.schedulerPass(ctx, limit)
			if time.Since(lastSweep) > 10*time.Minute {
				lastSweep = time.Now()
				s.sweep(ctx, limit)
			}
		}
	}
}

func (s *Service) schedulerPass(ctx context.Context, limit time.Duration) {
	pass, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if _, err := s.CloseDue(pass); err != nil && ctx.Err() == nil {
		s.log.Error("scheduled closing failed", "err", err)
	}
	if err := s.RecordPending(pass); err != nil && ctx.Err() == nil {
		s.log.Error("unable to render pending records", "err", err)
	}
}

func (s *Service) sweep(ctx context.Context, limit time.Duration) {
	pass, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := s.st.DeleteExpired(pass, s.now()); err != nil && ctx.Err() == nil {
		s.log.Warn("unable to clear expired sessions", "err", err)
	}
}

// RenderUnrendered renders the bodies written before bodies were rendered when written, a
// batch at a time, until none is left.
func (s *Service) RenderUnrendered(ctx context.Context) (int, error) {
	done := 0
	for {
		batch, err := s.st.Unrendered(ctx, 500)
		if err != nil || len(batch) == 0 {
			return done, err
		}
		for _, u := range batch {
			if err := s.st.SetHTML(ctx, u, s.md.Render(u.Body)); err != nil {
				return done, err
			}
			s.versions.changedAll()
			done++
		}
	}
}
