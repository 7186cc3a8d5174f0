package httpapi

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

// homeOutcomes is how many recent outcomes the home page lists.
const homeOutcomes = 6

func (s *Server) homePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	councils, err := s.svc.Councils(ctx)
	if err != nil {
		return err
	}
	rounds, _, err := s.svc.Outcomes(ctx, council.OutcomeFilter{Page: 1})
	if err != nil {
		return err
	}
	if len(rounds) > homeOutcomes {
		rounds = rounds[:homeOutcomes]
	}
	data := web.HomeData{Councils: councils, Outcomes: outcomeItems(rounds, councils)}
	return s.render(c, "home", s.newPage(c, "", data))
}

func (s *Server) outcomesPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	councils, err := s.svc.Councils(ctx)
	if err != nil {
		return err
	}
	data := web.OutcomesData{Q: c.Query("q"), CouncilSlug: c.Query("council"), From: c.Query("from"),
		To: c.Query("to"), Outcome: c.Query("outcome"), Councils: councils, Page: 1, Pages: 1}
	f, err := s.outcomeFilter(c)
	var rounds []model.Round
	if err == nil {
		rounds, data.Total, err = s.svc.Outcomes(ctx, f)
	}
	if bad, ok := council.AsError(err); ok && (bad.Code == council.CodeBadRequest || bad.Code == council.CodeValidation || bad.Code == council.CodeNotFound) {
		// A filter the archive cannot read is said on the page, beside the form kept as typed.
		data.Invalid = map[string]string{}
		for field, code := range bad.FieldCodes {
			data.Invalid[field] = code
		}
		if bad.Code == council.CodeNotFound {
			data.Invalid["council"] = council.FieldInvalid
		}
		return s.render(c.Status(statusOf[bad.Code]), "outcomes", s.newPage(c, s.t(c, "outcomes.title"), data))
	}
	if err != nil {
		return err
	}
	data.Page = f.Page
	data.Filtered = f.CouncilID != 0 || f.From != nil || f.To != nil || f.Outcome != ""
	data.Pages = max(int(math.Ceil(float64(data.Total)/float64(council.PageSize))), 1)
	data.Outcomes = outcomeItems(rounds, councils)
	link := func(p int) string {
		v := url.Values{}
		for _, k := range []string{"q", "council", "from", "to", "outcome"} {
			if x := c.Query(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/outcomes?" + v.Encode()
	}
	if data.Page > 1 {
		data.PrevURL = link(data.Page - 1)
	}
	if data.Page < data.Pages {
		data.NextURL = link(data.Page + 1)
	}
	return s.render(c, "outcomes", s.newPage(c, s.t(c, "outcomes.title"), data))
}

// outcomeItems pairs closed rounds with their councils and counts adopted proposals.
func outcomeItems(rounds []model.Round, councils []model.Council) []web.OutcomeItem {
	byID := map[int64]*model.Council{}
	for i := range councils {
		byID[councils[i].ID] = &councils[i]
	}
	items := make([]web.OutcomeItem, 0, len(rounds))
	for _, r := range rounds {
		it := web.OutcomeItem{Round: r, Council: byID[r.CouncilID], Total: len(r.Results)}
		for _, res := range r.Results {
			if res.Outcome == model.OutcomeAdopted {
				it.Adopted++
			}
		}
		items = append(items, it)
	}
	return items
}

func (s *Server) councilPage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), s.viewer(c)
	cn, err := s.svc.Council(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	// The rounds and the members are each read a page at a time (?page=, ?members_page=); each
	// pager's links keep the other list's page.
	page, membersPage := max(c.QueryInt("page", 1), 1), max(c.QueryInt("members_page", 1), 1)
	rounds, total, err := s.svc.RoundsPage(ctx, viewer, cn.ID, page)
	if err != nil {
		return err
	}
	path := "/councils/" + url.PathEscape(c.Params("slug"))
	data := web.CouncilData{Council: cn, Rounds: rounds,
		RoundsPage: listPage(path, url.Values{"members_page": {pageValue(membersPage)}}, page, total)}
	data.RoundsPage.Label = "pager.rounds_label"
	st, err := s.standing(c, cn.ID)
	if err != nil {
		return err
	}
	data.IsMember, data.IsModerator = st.Member, st.Moderator
	data.IsAdmin = viewer.IsAdmin()
	if st.CanSee {
		var members int
		if data.Members, members, err = s.svc.MembersPage(ctx, viewer, cn.ID, membersPage); err != nil {
			return err
		}
		data.MembersPage = listPageKey(path, url.Values{"page": {pageValue(page)}}, "members_page", membersPage, members)
		data.MembersPage.Label, data.MembersPage.Chronological = "pager.members_label", true
	}
	return s.render(c, "council", s.newPage(c, cn.Name, data))
}

// standing tells where the viewer stands in the council (nowhere, when anonymous).
func (s *Server) standing(c *fiber.Ctx, councilID int64) (council.Standing, error) {
	if s.viewer(c) == nil {
		return council.Standing{}, nil
	}
	return s.svc.Standing(c.UserContext(), s.viewer(c), councilID)
}

// liveOf turns where a view's live connection starts into the page's frame; nil for visitors
// who may not follow the council.
func liveOf(councilID int64, start *council.LiveStart) *web.Live {
	if start == nil {
		return nil
	}
	live := &web.Live{CouncilID: councilID, LastSeq: start.Seq}
	if !start.At.IsZero() {
		live.LastAt = start.At.UTC().Format(time.RFC3339Nano)
	}
	return live
}

func (s *Server) roundPage(c *fiber.Ctx) error {
	id, err := pageID(c, "round_id")
	if err != nil {
		return err
	}
	_, err = s.renderRound(c, id)
	return err
}

// renderRound renders a round's page (its outcome once closed) and says which round it was.
func (s *Server) renderRound(c *fiber.Ctx, id int64) (*model.Round, error) {
	v, err := s.svc.RoundView(c.UserContext(), s.viewer(c), id, true)
	if err != nil {
		return nil, err
	}
	r, viewer := v.Round, s.viewer(c)
	data := web.RoundData{Council: v.Council, Round: *r, Topics: v.Topics,
		Proposals: proposalViews(r, v, viewer), RecordURL: recordURL(id, ""), CSVURL: recordURL(id, ".csv"),
		XLSXURL: recordURL(id, ".xlsx"), IsMember: v.Standing.Member, IsModerator: v.Standing.Moderator,
		Numbers: map[int64]int{}, RollCall: v.RollCall != nil}
	if viewer != nil {
		data.ViewerID = viewer.ID
	}
	for _, t := range v.Topics {
		postNumbers(data.Numbers, t.Posts)
	}
	if data.IsModerator && r.Status == model.StatusOpen {
		if data.Participation, err = s.svc.Participation(c.UserContext(), viewer, id); err != nil {
			return nil, err
		}
	}
	if err := s.withFollowUps(c, r, &data); err != nil {
		return nil, err
	}
	p := s.newPage(c, r.Title, data)
	if r.Status == model.StatusClosed {
		return r, s.render(c, "outcome", p)
	}
	if live := liveOf(r.CouncilID, v.Live); live != nil {
		live.RoundID = id
		p.Live, p.Script = live, "round"
	}
	return r, s.render(c, "round", p)
}

func recordURL(roundID int64, ext string) string {
	return "/api/v1/rounds/" + strconv.FormatInt(roundID, 10) + "/record" + ext
}

// proposalViews joins each proposal with its result, the title of its topic, its roll call,
// and whether the viewer may still edit it.
func proposalViews(r *model.Round, rv *council.RoundView, viewer *model.User) []web.ProposalView {
	results := map[int64]*model.Result{}
	for i := range r.Results {
		results[r.Results[i].ProposalID] = &r.Results[i]
	}
	titles := map[int64]string{}
	for _, t := range rv.Topics {
		titles[t.ID] = t.Title
	}
	views := make([]web.ProposalView, 0, len(rv.Proposals))
	for _, p := range rv.Proposals {
		v := web.ProposalView{Proposal: p, Result: results[p.ID], Votes: rv.RollCall[p.ID], RollCall: rv.RollCall != nil}
		if p.TopicID != nil {
			v.Topic = titles[*p.TopicID]
		}
		v.Editable = viewer != nil && viewer.ID == p.Author.ID && r.Status != model.StatusClosed &&
			p.WithdrawnAt == nil && p.Voters == 0
		views = append(views, v)
	}
	return views
}

// postNumbers adds each post's number in its topic, by id, to numbers.
func postNumbers(numbers map[int64]int, posts []model.Post) {
	for _, p := range posts {
		numbers[p.ID] = p.Number
	}
}

func (s *Server) topicPage(c *fiber.Ctx) error {
	id, err := pageID(c, "topic_id")
	if err != nil {
		return err
	}
	// The posts are read a page at a time (?page=); without one, the last page, where the
	// debate goes on.
	page := council.LastPage
	if n := c.QueryInt("page", 0); n > 0 {
		page = n
	}
	v, err := s.svc.TopicViewPage(c.UserContext(), s.viewer(c), id, page)
	if err != nil {
		return err
	}
	r := v.Round
	data := web.TopicData{Council: v.Council, Round: *r, Topic: *v.Topic, IsMember: v.Standing.Member, IsModerator: v.Standing.Moderator,
		Numbers: map[int64]int{}, OffPage: map[int64]string{}, PageSize: council.PageSize}
	postNumbers(data.Numbers, v.Topic.Posts)
	data.CanWrite = data.IsMember && r.Status == model.StatusOpen
	if reply, err := strconv.ParseInt(c.Query("reply_to"), 10, 64); err == nil && reply > 0 {
		data.ReplyTo = reply
	}
	path := "/topics/" + strconv.FormatInt(id, 10)
	data.PostsPage = listPage(path, nil, v.Page, v.PostsTotal)
	data.PostsPage.Label, data.PostsPage.Chronological = "pager.posts_label", true
	data.LastPage = v.Page >= data.PostsPage.Pages
	// Posts this page replies to on other pages: their numbers, and links to their pages.
	var away []int64
	for _, p := range v.Topic.Posts {
		if p.ReplyTo != nil && data.Numbers[*p.ReplyTo] == 0 {
			away = append(away, *p.ReplyTo)
		}
	}
	if data.ReplyTo > 0 && data.Numbers[data.ReplyTo] == 0 {
		away = append(away, data.ReplyTo)
	}
	if len(away) > 0 {
		numbers, err := s.svc.PostNumbers(c.UserContext(), s.viewer(c), id, away)
		if err != nil {
			return err
		}
		for pid, n := range numbers {
			data.Numbers[pid] = n
			data.OffPage[pid] = fmt.Sprintf("%s?page=%d#post-%d", path, (n-1)/council.PageSize+1, pid)
		}
	}
	p := s.newPage(c, v.Topic.Title, data)
	if live := liveOf(r.CouncilID, v.Live); live != nil {
		live.RoundID, live.TopicID = r.ID, v.Topic.ID
		p.Live, p.Script = live, "topic"
	}
	return s.render(c, "topic", p)
}

// pageID reads a positive id from the path; anything else is a page that does not exist.
func pageID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, council.Errorf(council.CodeNotFound, "Not found.")
	}
	return id, nil
}

// votePage casts or withdraws a vote from the round page's form when scripts are off.
func (s *Server) votePage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), s.viewer(c)
	if viewer == nil {
		return council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	}
	id, err := pageID(c, "proposal_id")
	if err != nil {
		return err
	}
	p, err := s.svc.Proposal(ctx, viewer, id)
	if err != nil {
		return err
	}
	if choice := c.FormValue("choice"); choice == "withdraw" {
		err = s.svc.WithdrawVote(ctx, viewer, id)
	} else {
		_, err = s.svc.CastVote(ctx, viewer, id, choice, c.FormValue("reason"))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/rounds/"+strconv.FormatInt(p.RoundID, 10)+"#proposal-"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}
