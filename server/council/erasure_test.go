package council_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"council/server/council"
	"council/server/model"
	"council/server/testenv"
)

// Once a secret ballot closes, who chose what cannot be read back from the SQLite files: the
// deleted rows are overwritten (secure_delete) and the write-ahead log, which still held the
// pages as they were, is checkpointed and emptied.
func TestSecretVotesGoneFromTheSQLiteFiles(t *testing.T) {
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t, "sqlite")
	st := testenv.OpenURL(t, dbURL)
	w := testenv.NewWorld(t, st)
	r := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
	p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range w.Members {
		if _, err := w.Svc.CastVote(ctx, m, p.ID, []string{model.ChoiceFor, model.ChoiceAgainst, model.ChoiceAbstain}[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	// A vote's row holds its choice next to the time it was cast: those bytes, found anywhere
	// in the files, would link a choice to a moment, and through the participants to a voter.
	var rows []string
	if err := st.DB().Select(&rows, `SELECT choice || cast_at FROM votes`); err != nil || len(rows) != 3 {
		t.Fatalf("votes: %v %v", rows, err)
	}
	if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(dbURL, "sqlite:")
	for _, file := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, row := range rows {
			if bytes.Contains(data, []byte(row)) {
				t.Errorf("%s still holds an erased vote (%q)", file, row)
			}
		}
	}
}
