package postgis

import (
	"context"
	_ "embed"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

//go:embed queries/key_create.sql
var keyCreateSQL string

// CreateKey stores k, setting its ID and CreatedAt. ECONFLICT when a key with
// the same hash exists.
func (s *Store) CreateKey(ctx context.Context, k *kume.APIKey) error {
	if len(k.Hash) == 0 {
		return invalid("API key without hash")
	}
	if !k.Scope.Allows(kume.ScopeRead) {
		return invalid("unknown API key scope %q", k.Scope)
	}
	err := s.pool.QueryRow(ctx, keyCreateSQL, k.Name, string(k.Scope), k.Hash).Scan(&k.ID, &k.CreatedAt)
	k.CreatedAt = k.CreatedAt.UTC()
	return wrap(ctx, err, "create API key")
}

//go:embed queries/key_by_hash.sql
var keyByHashSQL string

// KeyByHash returns the unrevoked key with the given hash (ENOTFOUND if none).
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (*kume.APIKey, error) {
	rows, _ := s.pool.Query(ctx, keyByHashSQL, hash)
	k, err := pgx.CollectExactlyOneRow(rows, scanKey)
	if err != nil {
		return nil, wrap(ctx, err, "API key")
	}
	return &k, nil
}

//go:embed queries/key_list.sql
var keyListSQL string

// Keys lists every key ordered by id.
func (s *Store) Keys(ctx context.Context) ([]kume.APIKey, error) {
	rows, _ := s.pool.Query(ctx, keyListSQL)
	ks, err := pgx.CollectRows(rows, scanKey)
	if err != nil {
		return nil, wrap(ctx, err, "API keys")
	}
	return ks, nil
}

//go:embed queries/key_revoke.sql
var keyRevokeSQL string

// RevokeKey marks a key revoked (ENOTFOUND if none). Revoking twice keeps the
// first revocation time.
func (s *Store) RevokeKey(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, keyRevokeSQL, id)
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
