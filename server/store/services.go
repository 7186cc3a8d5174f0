package store

import (
	"context"
	"fmt"
	"time"

	"github.com/perushtitsa/council/server/model"
)

type serviceRow struct {
	ID        int64     `db:"id"`
	Slug      string    `db:"slug"`
	Name      string    `db:"name"`
	Archived  bool      `db:"archived"`
	CreatedAt time.Time `db:"created_at"`
}

const serviceColumns = `id, slug, name, archived, created_at`

func (r *serviceRow) model() model.MunicipalService {
	return model.MunicipalService{ID: r.ID, Slug: r.Slug, Name: r.Name, Archived: r.Archived, CreatedAt: r.CreatedAt.UTC()}
}

// Services lists the municipality's services by name; withArchived keeps those no longer
// offered.
func (s *Store) Services(ctx context.Context, withArchived bool) ([]model.MunicipalService, error) {
	var rows []serviceRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+serviceColumns+` FROM services
		WHERE archived = ? OR ? ORDER BY name, id`), false, withArchived)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list services: %w", err)
	}
	return mapRows(rows, (*serviceRow).model), nil
}

// ServiceBySlug finds a service by its slug.
func (s *Store) ServiceBySlug(ctx context.Context, slug string) (*model.MunicipalService, error) {
	var row serviceRow
	if err := s.db.GetContext(ctx, &row, s.rebind(`SELECT `+serviceColumns+` FROM services WHERE slug = ?`), slug); err != nil {
		return nil, notFound(err)
	}
	m := row.model()
	return &m, nil
}

// CreateService inserts a service created at a moment; ErrConflict when the slug is taken.
func (s *Store) CreateService(ctx context.Context, sv *model.MunicipalService, at time.Time) error {
	sv.CreatedAt = stamp(at)
	err := s.db.GetContext(ctx, &sv.ID, s.rebind(`INSERT INTO services (slug, name, archived, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		sv.Slug, sv.Name, sv.Archived, sv.CreatedAt)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to create service: %w", err)
	}
	return nil
}

// UpdateService writes a service's name and whether it is archived.
func (s *Store) UpdateService(ctx context.Context, sv *model.MunicipalService) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE services SET name = ?, archived = ? WHERE id = ?`), sv.Name, sv.Archived, sv.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update service: %w", err)
	}
	return nil
}
