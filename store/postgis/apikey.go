package postgis

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

// CreateKey stores k, setting its ID and CreatedAt. ECONFLICT when a key with
// the same hash exists.
func (s *Store) CreateKey(ctx context.Context, k *kume.APIKey) error {
	if len(k.Hash) == 0 {
		return invalid("API key without hash")
	}
	if !k.Scope.Allows(kume.ScopeRead) {
		return invalid("unknown API key scope %q", k.Scope)
	}
	err := s.pool.QueryRow(ctx, s.q("key_create"), k.Name, string(k.Scope), k.Hash).Scan(&k.ID, &k.CreatedAt)
	k.CreatedAt = k.CreatedAt.UTC()
	return wrap(ctx, err, "create API key")
}

// KeyByHash returns the unrevoked key with the given hash (ENOTFOUND if none).
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (*kume.APIKey, error) {
	rows, _ := s.pool.Query(ctx, s.q("key_by_hash"), hash)
	k, err := pgx.CollectExactlyOneRow(rows, scanKey)
	if err != nil {
		return nil, wrap(ctx, err, "API key")
	}
	return &k, nil
}

// Keys lists every key ordered by id.
func (s *Store) Keys(ctx context.Context) ([]kume.APIKey, error) {
	rows, _ := s.pool.Query(ctx, s.q("key_list"))
	ks, err := pgx.CollectRows(rows, scanKey)
	if err != nil {
		return nil, wrap(ctx, err, "API keys")
	}
	return ks, nil
}

// RevokeKey marks a key revoked (ENOTFOUND if none). Revoking twice keeps the
// first revocation time.
func (s *Store) RevokeKey(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, s.q("key_revoke"), id)
	if err != nil {
		return wrap(ctx, err, "revoke API key")
	}
	if tag.RowsAffected() == 0 {
		return notFound("API key")
	}
	return nil
}

func scanKey(row pgx.CollectableRow) (kume.APIKey, error) {
	var k kume.APIKey
	var scope string
	var revoked *time.Time
	err := row.Scan(&k.ID, &k.Name, &scope, &k.Hash, &k.CreatedAt, &revoked)
	k.Scope = kume.Scope(scope)
	k.CreatedAt = k.CreatedAt.UTC()
	k.RevokedAt = utc(revoked)
	return k, err
}
