package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// A closed round's public page and the archive's first page are served to anonymous visitors
// from bytes kept ready; these tests hold those bytes to what a fresh rendering gives after
// every change that alters the page, in this process and in another.
func TestCachedOutcomePages(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		r, p := adoptedRound(t, e, "Пейки на площада")
		page := fmt.Sprintf("/rounds/%d", r.ID)
		t.Run("etag and 304", func(t *testing.T) { cachedETag(t, e, page) })
		t.Run("same bytes as a fresh rendering", func(t *testing.T) {
			for _, path := range []string{page, page + "?lang=en", "/outcomes", "/outcomes?lang=en"} {
				e.anon.get(t, path) // kept
				sameAsFresh(t, e, path, "")
			}
		})
		t.Run("compressed copies", func(t *testing.T) {
			compressedCopies(t, e, page)
			compressedCopies(t, e, "/outcomes")
			compressedCopies(t, e, fmt.Sprintf("/api/v1/rounds/%d/record", r.ID))
		})
		t.Run("signed-in pages stay dynamic", func(t *testing.T) { signedInDynamic(t, e, page) })
		t.Run("changes in this process", func(t *testing.T) { changesHere(t, e, r, p, page) })
		t.Run("changes in another process", func(t *testing.T) { changesElsewhere(t, e, r, page) })
	})
}

// adoptedRound closes a round in which the council adopted one proposal, with a debate.
func adoptedRound(t *testing.T, e *env, title string) (*model.Round, *model.Proposal) {
	t.Helper()
	ctx, w := context.Background(), e.w
	quorum, ballot := 0, model.BallotOpen
	r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.Svc.CreateProposal(ctx, w.Members[0], r.ID, council.ProposalInput{Title: "Десет пейки", Body: "По **главната** улица."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Svc.OpenRound(ctx, w.Moderator, r.ID, nil); err != nil {
		t.Fatal(err)
	}
	tp, err := w.Svc.CreateTopic(ctx, w.Members[1], r.ID, council.TopicInput{Title: "Къде?", Body: "Около читалището."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Svc.CreatePost(ctx, w.Members[2], tp.ID, council.PostInput{Body: "И по една кошче до всяка."}); err != nil {
		t.Fatal(err)
	}
	for _, m := range w.Members {
		if _, err := w.Svc.CastVote(ctx, m, p.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
	}
	if r, err = w.Svc.CloseRound(ctx, w.Moderator, r.ID, "Приема се."); err != nil {
		t.Fatal(err)
	}
	return r, p
}

func cachedETag(t *testing.T, e *env, page string) {
	first := e.anon.get(t, page)
	again := e.anon.get(t, page)
	etag := again.Header.Get("ETag")
	if first.Status != 200 || again.Status != 200 || etag == "" || first.Header.Get("ETag") != etag {
		t.Fatalf("%s: %d %d, ETag %q then %q", page, first.Status, again.Status, first.Header.Get("ETag"), etag)
	}
	if cc := again.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
		t.Errorf("Cache-Control %q", cc)
	}
	if v := again.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Encoding") || !strings.Contains(strings.Join(v, ","), "Cookie") {
		t.Errorf("Vary %q", v)
	}
	c := &client{app: e.app, header: map[string]string{"If-None-Match": etag}}
	if r := c.get(t, page); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and none", etag, r.Status, len(r.Body))
	}
	// Another spelling of the path links to itself differently: it is rendered for the request.
	for _, other := range []string{page + "/", strings.Replace(page, "/rounds/", "/rounds/0", 1), strings.Replace(page, "/rounds/", "/rounds/+", 1)} {
		if r := e.anon.get(t, other); r.Header.Get("ETag") != "" {
			t.Errorf("%s: answered from the kept page (ETag %q)", other, r.Header.Get("ETag"))
		}
	}
	c.header["If-None-Match"] = `"something-else"`
	if r := c.get(t, page); r.Status != 200 || !bytes.Equal(r.Body, again.Body) {
		t.Errorf("another ETag: %d", r.Status)
	}
	// A language chosen by the query sets its cookie, so that answer is not for shared caches.
	r := e.anon.get(t, page+"?lang=en")
	if r.Header.Get("Set-Cookie") == "" || !strings.HasPrefix(r.Header.Get("Cache-Control"), "private") {
		t.Errorf("?lang=en: Set-Cookie %q, Cache-Control %q", r.Header.Get("Set-Cookie"), r.Header.Get("Cache-Control"))
	}
}

// fresh renders path for an anonymous visitor on a new app over the same service: nothing
// kept, so what it answers is rendered for the request.
func fresh(t *testing.T, e *env, path string) reply {
	t.Helper()
	return (&client{app: newApp(e.w, "")}).get(t, path)
}

// sameAsFresh fails unless what e's app answers an anonymous visitor for path is what a
// fresh rendering gives, and contains want.
func sameAsFresh(t *testing.T, e *env, path, want string) {
	t.Helper()
	kept, now := e.anon.get(t, path), fresh(t, e, path)
	if kept.Status != 200 || now.Status != 200 {
		t.Fatalf("%s: %d, fresh %d", path, kept.Status, now.Status)
	}
	if !bytes.Equal(kept.Body, now.Body) {
		t.Errorf("%s: the bytes kept are not what a fresh rendering gives (%d and %d bytes)", path, len(kept.Body), len(now.Body))
	}
	if !strings.Contains(string(kept.Body), want) {
		t.Errorf("%s lacks %q", path, want)
	}
}

func compressedCopies(t *testing.T, e *env, path string) {
	plain := e.anon.get(t, path)
	if plain.Status != 200 || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("%s: %d, Content-Encoding %q without Accept-Encoding", path, plain.Status, plain.Header.Get("Content-Encoding"))
	}
	for _, enc := range []string{"br", "gzip"} {
		c := &client{app: e.app, header: map[string]string{"Accept-Encoding": enc}}
		r := c.get(t, path)
		if r.Header.Get("Content-Encoding") != enc {
			t.Fatalf("%s, Accept-Encoding %s: Content-Encoding %q", path, enc, r.Header.Get("Content-Encoding"))
		}
		var rd io.Reader
		if enc == "br" {
			rd = brotli.NewReader(bytes.NewReader(r.Body))
		} else {
			zr, err := gzip.NewReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, plain.Body) {
			t.Errorf("%s: the %s copy does not decode to the page (%v)", path, enc, err)
		}
		if len(r.Body) >= len(plain.Body) {
			t.Errorf("%s: the %s copy is %d bytes, the page %d", path, enc, len(r.Body), len(plain.Body))
		}
	}
	c := &client{app: e.app, header: map[string]string{"Accept-Encoding": "gzip;q=0, br;q=0"}}
	if r := c.get(t, path); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("%s: q=0 refused, still %q", path, r.Header.Get("Content-Encoding"))
	}
}

func signedInDynamic(t *testing.T, e *env, page string) {
	anon := e.anon.get(t, page) // kept
	for _, c := range []*client{e.member, e.admin} {
		r := c.get(t, page)
		if r.Status != 200 || !strings.Contains(string(r.Body), `action="/signout"`) || !strings.Contains(string(r.Body), c.csrf) {
			t.Fatalf("%s signed in as %s: %d, no sign-out form or CSRF token of its own", page, c.user.Email, r.Status)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("signed-in page: Cache-Control %q", cc)
		}
	}
	after := e.anon.get(t, page)
	if !bytes.Equal(after.Body, anon.Body) || strings.Contains(string(after.Body), e.admin.csrf) {
		t.Error("a signed-in rendering reached the anonymous visitors")
	}
}

func changesHere(t *testing.T, e *env, r *model.Round, p *model.Proposal, page string) {
	ctx, w := context.Background(), e.w
	check := func(what, want string) {
		t.Helper()
		sameAsFresh(t, e, page, want)
		sameAsFresh(t, e, page+"?lang=en", "")
		sameAsFresh(t, e, "/outcomes", "")
	}
	check("before", "Десет пейки")
	if _, err := w.Svc.AddFollowUp(ctx, w.Admin, p.ID, council.FollowUpInput{Status: model.FollowUpStatuses[0], Body: "Поръчани са дванадесет пейки."}); err != nil {
		t.Fatal(err)
	}
	check("follow-up", "Поръчани са дванадесет пейки.")
	name := "Съвет за услугите и площадите"
	if _, err := w.Svc.UpdateCouncil(ctx, w.Admin, w.Council.ID, council.CouncilUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	check("council renamed", name)
	sameAsFresh(t, e, "/outcomes", name)
	newName := "Мария Преименувана"
	if _, err := w.Svc.UpdateProfile(ctx, w.Members[1], council.ProfileInput{Name: &newName}); err != nil {
		t.Fatal(err)
	}
	check("author renamed", newName)
	// The archive's first page lists a round closed since.
	e.anon.get(t, "/outcomes")
	adoptedRound(t, e, "Осветление на парка")
	sameAsFresh(t, e, "/outcomes", "Осветление на парка")
	// Erased after leaving the council, so that no event of its record counts the change.
	if err := w.Svc.RemoveMember(ctx, w.Admin, w.Council.ID, w.Members[2].ID); err != nil {
		t.Fatal(err)
	}
	check("author removed", "И по една кошче до всяка.")
	sess, err := w.Svc.StartSession(ctx, w.Members[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Svc.Erase(ctx, sess, passwordOf(w.Members[2]), "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	check("author erased", model.ErasedName(w.Members[2].ID))
}

// changesElsewhere makes the changes through another process's service: this process learns
// of them from the councils' last seqs, read at most every council.VersionsPoll.
func changesElsewhere(t *testing.T, e *env, r *model.Round, page string) {
	ctx, w := context.Background(), e.w
	other := w.AnotherProcess()
	e.anon.get(t, page)
	e.anon.get(t, "/outcomes")
	name := "Съвет, преименуван другаде"
	if _, err := other.UpdateCouncil(ctx, w.Admin, w.Council.ID, council.CouncilUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(council.VersionsPoll)
	sameAsFresh(t, e, page, name)
	sameAsFresh(t, e, "/outcomes", name)
}

func passwordOf(u *model.User) string { return password(u) }
