package httpapi_test

import "testing"

// The endpoint tests share one env per database and group, in an order that keeps their
// counts apart (an env costs a fresh database and a world).

func TestAPIAccounts(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("sessions", func(t *testing.T) { apiSessions(t, e) })
		t.Run("invitations", func(t *testing.T) { apiInvitations(t, e) })
		t.Run("throttle", func(t *testing.T) { apiSignInThrottle(t, e) })
	})
}

func TestAPICouncilsAndRounds(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("councils", func(t *testing.T) { apiCouncils(t, e) })
		t.Run("rounds", func(t *testing.T) { apiRounds(t, e) })
		t.Run("member changes", func(t *testing.T) { apiMemberChanges(t, e) })
	})
}

func TestAPIDebateAndVotes(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("debate", func(t *testing.T) { apiDebate(t, e) })
		t.Run("secret ballot", func(t *testing.T) { apiSecretBallot(t, e) })
		t.Run("errors", func(t *testing.T) { apiErrors(t, e) }) // last: it closes the database
	})
}

func TestAPIRecord(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("events", func(t *testing.T) { apiEvents(t, e) })
		t.Run("record", func(t *testing.T) { apiRecord(t, e) })
		t.Run("outcomes", func(t *testing.T) { apiOutcomes(t, e) })
	})
}
