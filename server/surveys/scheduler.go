package surveys

import (
	"context"
	"time"
)

// CloseDue closes every open survey whose closing time has passed. Several processes may run
// it at once: the survey's lock and a close that only an open survey takes let one of them
// close each survey, erasing its marks once; the others find it closed and move on.
func (s *Service) CloseDue(ctx context.Context) (int, error) {
	due, err := s.st.DueSurveys(ctx, s.now())
	if err != nil {
		return 0, err
	}
	closed := 0
	var failed error
	for _, id := range due {
		_, done, err := s.closeSurvey(ctx, id)
		switch {
		case err != nil:
			// One survey that cannot close must not keep the others open past their time.
			s.log.Error("unable to close a survey on schedule", "survey", id, "err", err)
			failed = err
		case done:
			closed++
			s.log.Info("survey closed on schedule", "survey", id)
		}
	}
	return closed, failed
}

// RunScheduler closes due surveys every interval until ctx ends, and now and then forgets the
// counted public answers that have left the throttle's window. Each pass waits for the
// database at most limit, so a database that stops answering delays the next pass instead of
// hanging the scheduler.
func (s *Service) RunScheduler(ctx context.Context, every, limit time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastSweep := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.pass(ctx, limit, func(pass context.Context) error { _, err := s.CloseDue(pass); return err }, "scheduled survey closing failed")
			if time.Since(lastSweep) > 10*time.Minute {
				lastSweep = time.Now()
				s.pass(ctx, limit, func(pass context.Context) error {
					return s.st.ForgetSurveyAttempts(pass, s.now().Add(-s.throttle.Window))
				}, "unable to forget old survey answer counts")
			}
		}
	}
}

func (s *Service) pass(ctx context.Context, limit time.Duration, fn func(context.Context) error, failure string) {
	pass, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := fn(pass); err != nil && ctx.Err() == nil {
		s.log.Error(failure, "err", err)
	}
}
