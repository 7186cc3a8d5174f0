package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// Councils lists every council, by name.
func (s *Store) Councils(ctx context.Context) ([]model.Council, error) {
	var rows []councilRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+councilColumns+` FROM councils c ORDER BY c.name, c.id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list councils: %w", err)
	}
	return mapRows(rows, (*councilRow).model), nil
}

// Council finds a council by numeric id or by slug.
func (s *Store) Council(ctx context.Context, idOrSlug string) (*model.Council, error) {
	var row councilRow
	var err error
	if id, perr := strconv.ParseInt(idOrSlug, 10, 64); perr == nil {
		err = s.db.GetContext(ctx, &row, s.rebind(`SELECT `+councilColumns+` FROM councils c WHERE c.id = ?`), id)
	} else {
		err = s.db.GetContext(ctx, &row, s.rebind(`SELECT `+councilColumns+` FROM councils c WHERE c.slug = ?`), idOrSlug)
	}
	if err != nil {
		return nil, notFound(err)
	}
	c := row.model()
	return &c, nil
}

// CreateCouncil inserts a council created at a moment; ErrConflict when the slug is taken.
func (s *Store) CreateCouncil(ctx context.Context, c *model.Council, at time.Time) error {
	c.CreatedAt = stamp(at)
	err := s.db.GetContext(ctx, &c.ID, s.rebind(`INSERT INTO councils (slug, name, description, constituency, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`), c.Slug, c.Name, c.Description, c.Constituency, c.CreatedAt)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to create council: %w", err)
	}
	return nil
}

// UpdateCouncil writes the transaction's council's editable fields: name, description,
// archived, open rounds public.
func (t *Tx) UpdateCouncil(ctx context.Context, c *model.Council) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE councils SET name = ?, description = ?, archived = ?, open_rounds_public = ?
		WHERE id = ?`), c.Name, c.Description, c.Archived, c.OpenRoundsPublic, t.councilID)
	if err != nil {
		return fmt.Errorf("store: unable to update council: %w", err)
	}
	t.public, t.archived = c.OpenRoundsPublic, c.Archived
	return nil
}

// CountRounds counts the transaction's council's rounds in a state.
func (t *Tx) CountRounds(ctx context.Context, status string) (int, error) {
	var n int
	err := t.tx.GetContext(ctx, &n, t.store.rebind(`SELECT COUNT(*) FROM rounds WHERE council_id = ? AND status = ?`), t.councilID, status)
	return n, err
}

// Members lists a council's members, moderators first, then by name.
func (s *Store) Members(ctx context.Context, councilID int64) ([]model.Member, error) {
	var rows []memberRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+memberColumns+`
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.council_id = ? ORDER BY m.role = ? DESC, u.name, u.id`), councilID, model.RoleModerator)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list members: %w", err)
	}
	return mapRows(rows, (*memberRow).model), nil
}

// MembersPage lists one page of a council's members, moderators first, then by name (limit
// members from offset), with how many there are in all.
func (s *Store) MembersPage(ctx context.Context, councilID int64, limit, offset int) ([]model.Member, int, error) {
	var total int
	if err := s.db.GetContext(ctx, &total, s.rebind(`SELECT COUNT(*) FROM memberships WHERE council_id = ?`), councilID); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count members: %w", err)
	}
	if limit == 0 || offset >= total {
		return []model.Member{}, total, nil
	}
	var rows []memberRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+memberColumns+`
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.council_id = ? ORDER BY m.role = ? DESC, u.name, u.id LIMIT ? OFFSET ?`), councilID, model.RoleModerator, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list members: %w", err)
	}
	return mapRows(rows, (*memberRow).model), total, nil
}

// Membership returns a user's seat in a council; ErrNotFound when there is none.
func (s *Store) Membership(ctx context.Context, councilID, userID int64) (*model.Member, error) {
	return s.Reader().Membership(ctx, councilID, userID)
}

// Memberships lists the councils a user sits on.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]model.Membership, error) {
	var rows []struct {
		CouncilID int64  `db:"council_id"`
		Role      string `db:"role"`
		Group     string `db:"grp"`
	}
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT council_id, role, grp FROM memberships WHERE user_id = ? ORDER BY council_id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list memberships: %w", err)
	}
	out := make([]model.Membership, len(rows))
	for i, r := range rows {
		out[i] = model.Membership{CouncilID: r.CouncilID, Role: r.Role, Group: r.Group}
	}
	return out, nil
}

// Membership returns a user's seat in the transaction's council.
func (t *Tx) Membership(ctx context.Context, userID int64) (*model.Member, error) {
	return t.Reader().Membership(ctx, t.councilID, userID)
}

// Membership returns a user's seat in a council; ErrNotFound when there is none.
func (r *Reader) Membership(ctx context.Context, councilID, userID int64) (*model.Member, error) {
	var row memberRow
	err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+memberColumns+`
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.council_id = ? AND m.user_id = ?`), councilID, userID)
	if err != nil {
		return nil, notFound(err)
	}
	m := row.model()
	return &m, nil
}

// AddMember seats a user in the transaction's council.
func (t *Tx) AddMember(ctx context.Context, userID int64, role, group string) (*model.Member, error) {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO memberships (council_id, user_id, role, grp, joined_at)
		VALUES (?, ?, ?, ?, ?)`), t.councilID, userID, role, group, t.now)
	if isUniqueViolation(err) {
		return nil, ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to add member: %w", err)
	}
	return t.Membership(ctx, userID)
}

// SetMemberRole changes a member's role in the transaction's council.
func (t *Tx) SetMemberRole(ctx context.Context, userID int64, role string) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE memberships SET role = ? WHERE council_id = ? AND user_id = ?`), role, t.councilID, userID)
	return err
}

// RemoveMember takes a member's seat away.
func (t *Tx) RemoveMember(ctx context.Context, userID int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`DELETE FROM memberships WHERE council_id = ? AND user_id = ?`), t.councilID, userID)
	return err
}

// CountMembers counts the council's members, by group.
func (t *Tx) CountMembers(ctx context.Context) (map[string]int, int, error) {
	var rows []struct {
		Group string `db:"grp"`
		N     int    `db:"n"`
	}
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT grp, COUNT(*) AS n FROM memberships WHERE council_id = ? GROUP BY grp`), t.councilID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to count members: %w", err)
	}
	by, total := map[string]int{}, 0
	for _, r := range rows {
		by[r.Group] = r.N
		total += r.N
	}
	return by, total, nil
}

// CreateUser inserts an account inside the council transaction (an accepted invitation).
func (t *Tx) CreateUser(ctx context.Context, u *model.User) error {
	return createUser(ctx, t.tx, t.store.rebind, u, t.now)
}

// UserByEmail finds an account inside the transaction.
func (t *Tx) UserByEmail(ctx context.Context, email string) (*model.User, error) {
	return t.Reader().UserByEmail(ctx, email)
}

// CreateInvitation stores an invitation by the hash of its token.
func (t *Tx) CreateInvitation(ctx context.Context, inv *model.Invitation, tokenHash string, invitedBy int64) error {
	err := t.tx.GetContext(ctx, &inv.ID, t.store.rebind(`INSERT INTO invitations
		(council_id, token_hash, email, name, role, grp, organisation, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		t.councilID, tokenHash, inv.Email, inv.Name, inv.Role, inv.Group, inv.Organisation, invitedBy, t.now, stamp(inv.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: unable to create invitation: %w", err)
	}
	inv.CouncilID = t.councilID
	return nil
}

// InvitationByHash finds an invitation unused and unexpired at a moment.
func (s *Store) InvitationByHash(ctx context.Context, tokenHash string, at time.Time) (*model.Invitation, error) {
	var row invitationRow
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT `+invitationColumns+` FROM invitations
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, stamp(at))
	if err != nil {
		return nil, notFound(err)
	}
	return row.model(), nil
}

// UseInvitation marks an invitation used, once: ErrNotFound when it was used or expired meanwhile.
func (t *Tx) UseInvitation(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE invitations SET used_at = ?
		WHERE id = ? AND used_at IS NULL AND expires_at > ?`), t.now, id, t.now)
	if err != nil {
		return fmt.Errorf("store: unable to use invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}
