package council_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
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

// A reader holding the files at the close (a backup running, a long read) neither holds the
// close up nor keeps the erased votes: the scrub is retried until the reader lets go.
func TestSecretVotesScrubbedOnceAReaderLetsGo(t *testing.T) {
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t, "sqlite")
	st := testenv.OpenURL(t, dbURL)
	w := testenv.NewWorld(t, st)
	r := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
	p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range w.Members {
		if _, err := w.Svc.CastVote(ctx, m, p.ID, model.ChoiceAgainst, ""); err != nil {
			t.Fatal(err)
		}
	}
	var rows []string
	if err := st.DB().Select(&rows, `SELECT choice || cast_at FROM votes`); err != nil || len(rows) != 3 {
		t.Fatalf("votes: %v %v", rows, err)
	}
	// A read transaction as a backup holds one (the store's own transactions take the write
	// lock at once, so this one is begun by hand).
	reader, err := st.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	var n int
	if _, err := reader.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		t.Fatal(err)
	}
	if err := reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM votes`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("the reader's snapshot: %d %v", n, err)
	}
	if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(dbURL, "sqlite:")
	holds := func() bool {
		for _, file := range []string{path, path + "-wal"} {
			data, _ := os.ReadFile(file)
			for _, row := range rows {
				if bytes.Contains(data, []byte(row)) {
					return true
				}
			}
		}
		return false
	}
	if !holds() {
		t.Fatal("the files were scrubbed while a reader still held the old pages: the test proves nothing")
	}
	if _, err := reader.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * store.ScrubRetryEvery)
	for holds() {
		if time.Now().After(deadline) {
			t.Fatal("the erased votes are still in the files after the reader let go")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
