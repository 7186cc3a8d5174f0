package store_test

import (
	"context"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// The paged lists' reads for the growth benchmark: each list's first page and its last (the
// deepest a pager reaches), PageSize (20) rows a page.
func init() {
	const size = 20
	last := func(n int) int { return max(n-1, 0) / size * size }
	states := []string{model.StatusClosed, model.StatusOpen, model.StatusDraft}
	growthPaged = []growthMeasure{
		{"rounds, first page", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Reader().RoundsPage(ctx, g.council, size, 0, states...)
			return len(rs), err
		}},
		{"rounds, last page", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Reader().RoundsPage(ctx, g.council, size, last(g.n), states...)
			return len(rs), err
		}},
		{"rounds, first page a visitor sees", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Reader().RoundsPage(ctx, g.council, size, 0, model.StatusClosed)
			return len(rs), err
		}},
		{"members, first page", func(ctx context.Context, g *growthSeeded) (int, error) {
			ms, _, err := g.st.MembersPage(ctx, g.council, size, 0)
			return len(ms), err
		}},
		{"members, last page", func(ctx context.Context, g *growthSeeded) (int, error) {
			ms, _, err := g.st.MembersPage(ctx, g.council, size, last(g.n))
			return len(ms), err
		}},
		{"posts, first page", func(ctx context.Context, g *growthSeeded) (int, error) {
			ps, _, _, err := g.st.Reader().PostsPage(ctx, g.topic, size, 0)
			return len(ps), err
		}},
		{"posts, last page", func(ctx context.Context, g *growthSeeded) (int, error) {
			ps, _, _, err := g.st.Reader().PostsPage(ctx, g.topic, size, -1)
			return len(ps), err
		}},
		{"archive, last page", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Limit: size, Offset: last(g.n - 2)})
			return len(rs), err
		}},
	}
}
