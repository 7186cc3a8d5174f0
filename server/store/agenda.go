package store

import (
	"context"
	"fmt"

	"github.com/perushtitsa/council/server/model"
)

// Agenda lists the open rounds of the councils a user sits on, the soonest closing first
// (rounds without a closing time last), each with its council, its number of proposals and
// those the user has not voted on.
func (s *Store) Agenda(ctx context.Context, userID int64) ([]model.AgendaItem, error) {
	var rows []struct {
		roundRow
		Council   councilRow `db:"c"`
		Proposals int        `db:"proposal_count"`
	}
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+columnsOf(roundColumns, "r")+`,
		c.id AS "c.id", c.slug AS "c.slug", c.name AS "c.name", c.description AS "c.description",
		c.constituency AS "c.constituency", c.created_at AS "c.created_at",
		(SELECT COUNT(*) FROM memberships cm WHERE cm.council_id = c.id) AS "c.member_count",
		(SELECT COUNT(*) FROM proposals p WHERE p.round_id = r.id) AS proposal_count
		FROM rounds r JOIN memberships m ON m.council_id = r.council_id AND m.user_id = ?
		JOIN councils c ON c.id = r.council_id
		WHERE r.status = ?
		ORDER BY r.closes_at IS NULL, r.closes_at, r.id`), userID, model.StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the agenda: %w", err)
	}
	out := make([]model.AgendaItem, 0, len(rows))
	rd := s.Reader()
	for i := range rows {
		r, err := rows[i].roundRow.model()
		if err != nil {
			return nil, err
		}
		item := model.AgendaItem{Round: r, Council: rows[i].Council.model(), Proposals: rows[i].Proposals}
		if item.AwaitingMyVote, err = rd.AwaitingVotes(ctx, r.ID, userID); err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return out, nil
}
