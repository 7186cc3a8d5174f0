package signals

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// MaxStatsMonths bounds the window of one analysis: ten years of months.
const MaxStatsMonths = 120

// DefaultWindow is the analysis's window when none is asked for: the current month and the
// eleven before it, in Sofia.
func DefaultWindow(now time.Time) (from, to time.Time) {
	n := now.In(sofia)
	to = time.Date(n.Year(), n.Month()+1, 1, 0, 0, 0, 0, sofia)
	return to.AddDate(0, -12, 0), to
}

// Day is midnight in Sofia of a date written YYYY-MM-DD; ok is false for anything else.
func Day(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, sofia)
	return t, err == nil && t.Year() >= 2000 && t.Year() < 10000
}

// DateOf writes a moment's date in Sofia, where the analysis's days begin and end.
func DateOf(t time.Time) string { return t.In(sofia).Format(time.DateOnly) }

// Stats is the periodic analysis of the signals received in [from, to): counts by kind,
// service, status and month (Sofia's calendar months, hence counted here rather than in SQL,
// where each database reads time zones its own way), the median time to a first answer in
// substance, and the share answered within the days the municipality gives itself.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (*model.SignalStats, error) {
	months := monthsBetween(from, to)
	if !from.Before(to) || len(months) > MaxStatsMonths {
		return nil, council.Errorf(council.CodeBadRequest, "The window must start before it ends and span at most %d months.", MaxStatsMonths)
	}
	facts, err := s.st.SignalFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	services, err := s.st.Services(ctx, true)
	if err != nil {
		return nil, err
	}
	st := &model.SignalStats{From: from, To: to, AnswerDays: s.answerDays, Total: len(facts)}
	s.tally(st, facts, months, services)
	s.answerTimes(st, facts)
	return st, nil
}

// monthsBetween lists the Sofia months a window touches, YYYY-MM, at most one past the bound.
func monthsBetween(from, to time.Time) []string {
	var out []string
	f := from.In(sofia)
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, sofia); m.Before(to) && len(out) <= MaxStatsMonths; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

type countKey struct{ kind, service, status, month string }

// tally counts the facts under every dimension and their combinations.
func (s *Service) tally(st *model.SignalStats, facts []store.SignalFact, months []string, services []model.MunicipalService) {
	combos := map[countKey]int{}
	byKind, byStatus, byService, byMonth := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	names := map[string]string{}
	for _, f := range facts {
		month := f.CreatedAt.In(sofia).Format("2006-01")
		combos[countKey{f.Kind, f.Service, f.Status, month}]++
		byKind[f.Kind]++
		byStatus[f.Status]++
		byService[f.Service]++
		byMonth[month]++
		names[f.Service] = f.ServiceName
	}
	for _, k := range model.SignalKinds {
		st.ByKind = append(st.ByKind, model.Tally{Key: k, Count: byKind[k]})
	}
	for _, k := range model.SignalStatuses {
		st.ByStatus = append(st.ByStatus, model.Tally{Key: k, Count: byStatus[k]})
	}
	for _, m := range months {
		st.ByMonth = append(st.ByMonth, model.Tally{Key: m, Count: byMonth[m]})
	}
	for _, sv := range services {
		if !sv.Archived || byService[sv.Slug] > 0 {
			st.ByService = append(st.ByService, model.Tally{Key: sv.Slug, Label: sv.Name, Count: byService[sv.Slug]})
		}
	}
	sort.SliceStable(st.ByService, func(i, j int) bool { return st.ByService[i].Count > st.ByService[j].Count })
	for k, n := range combos {
		st.Counts = append(st.Counts, model.SignalCount{Kind: k.kind, Service: k.service, Status: k.status, Month: k.month, Count: n})
	}
	sort.Slice(st.Counts, func(i, j int) bool { return lessCount(st.Counts[i], st.Counts[j]) })
}

// lessCount orders counts by month, then kind and status in the contract's order, then service.
func lessCount(a, b model.SignalCount) bool {
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	if ka, kb := slices.Index(model.SignalKinds, a.Kind), slices.Index(model.SignalKinds, b.Kind); ka != kb {
		return ka < kb
	}
	if a.Service != b.Service {
		return a.Service < b.Service
	}
	return slices.Index(model.SignalStatuses, a.Status) < slices.Index(model.SignalStatuses, b.Status)
}

// answerTimes computes the median days to a first answer and the share answered in time. A
// signal is due once answered or once its time to answer has run out unanswered; those still
// within their time and unanswered are left out of the share, which they cannot yet tell.
func (s *Service) answerTimes(st *model.SignalStats, facts []store.SignalFact) {
	limit := time.Duration(s.answerDays) * 24 * time.Hour
	now := s.now()
	var days []float64
	for _, f := range facts {
		deadline := f.CreatedAt.Add(limit)
		switch {
		case f.FirstAnswerAt != nil:
			st.Answered++
			st.Due++
			days = append(days, f.FirstAnswerAt.Sub(f.CreatedAt).Hours()/24)
			if !f.FirstAnswerAt.After(deadline) {
				st.Within++
			}
		case now.After(deadline):
			st.Due++
		}
	}
	if len(days) > 0 {
		sort.Float64s(days)
		m := days[len(days)/2]
		if len(days)%2 == 0 {
			m = (days[len(days)/2-1] + m) / 2
		}
		m = math.Round(m*10) / 10
		st.MedianDays = &m
	}
	if st.Due > 0 {
		share := math.Round(float64(st.Within)/float64(st.Due)*1000) / 1000
		st.Share = &share
	}
}
