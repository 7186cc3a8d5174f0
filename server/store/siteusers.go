package store

import (
	"context"
	"fmt"

	"github.com/perushtitsa/council/server/model"
)

// SetSiteRole changes an account's site role, unless that would leave the site without an
// admin: ErrConflict then. The admins' rows are locked while they are counted, so two admins
// taking each other's role at once cannot both succeed.
func (s *Store) SetSiteRole(ctx context.Context, userID int64, role string) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	var admins []int64
	if err := tx.SelectContext(ctx, &admins, s.rebind(`SELECT id FROM users WHERE role = ? ORDER BY id`+s.forUpdate()), model.SiteAdmin); err != nil {
		return fmt.Errorf("store: unable to count admins: %w", err)
	}
	if role != model.SiteAdmin && len(admins) == 1 && admins[0] == userID {
		return ErrConflict
	}
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET role = ? WHERE id = ?`), role, userID)
	if err != nil {
		return fmt.Errorf("store: unable to set the site role: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}
