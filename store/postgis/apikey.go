package postgis

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
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
	if err := kume.CheckKeyGrants(k); err != nil {
		return err
	}
	var missing int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, keyCreateSQL, k.Name, string(k.Scope), k.Hash).Scan(&k.ID, &k.CreatedAt); err != nil {
			return err
		}
		for _, g := range k.Grants {
			tag, err := tx.Exec(ctx, keyGrantSQL, k.ID, g.DatasetID, string(g.Right))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				missing = g.DatasetID
				return pgx.ErrNoRows
			}
		}
		return nil
	})
	k.CreatedAt = k.CreatedAt.UTC()
	if missing != 0 {
		return withCode(fmt.Errorf("postgis: create API key: dataset %d: %w", missing, err), kume.ENOTFOUND, "dataset %d not found", missing)
	}
	return wrap(ctx, err, "create API key")
}

//go:embed queries/key_grant.sql
var keyGrantSQL string

//go:embed queries/key_lock.sql
var keyLockSQL string

// GrantKey gives key keyID the right g on g.DatasetID, replacing the right it
// had there (ENOTFOUND for an unknown key or dataset, EINVALID for a grant
// the key's scope does not take).
func (s *Store) GrantKey(ctx context.Context, keyID int64, g kume.Grant) error {
	var checkErr error
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var scope string
		if err := tx.QueryRow(ctx, keyLockSQL, keyID).Scan(&scope); err != nil {
			return err
		}
		if checkErr = kume.CheckGrant(kume.Scope(scope), g); checkErr != nil {
			return checkErr
		}
		tag, err := tx.Exec(ctx, keyGrantSQL, keyID, g.DatasetID, string(g.Right))
		if err == nil && tag.RowsAffected() == 0 {
			checkErr = notFound("dataset")
			return checkErr
		}
		return err
	})
	if checkErr != nil {
		return checkErr
	}
	return wrap(ctx, err, "grant")
}

//go:embed queries/key_revoke_grant.sql
var keyRevokeGrantSQL string

// RevokeGrant takes key keyID's right on a dataset away (ENOTFOUND when it
// has none there).
func (s *Store) RevokeGrant(ctx context.Context, keyID, datasetID int64) error {
	tag, err := s.pool.Exec(ctx, keyRevokeGrantSQL, keyID, datasetID)
	if err != nil {
		return wrap(ctx, err, "revoke grant")
	}
	if tag.RowsAffected() == 0 {
		return notFound("grant")
	}
	return nil
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
	var grants []byte
	err := row.Scan(&k.ID, &k.Name, &scope, &k.Hash, &k.CreatedAt, &revoked, &grants)
	k.Scope = kume.Scope(scope)
	k.CreatedAt = k.CreatedAt.UTC()
	k.RevokedAt = utc(revoked)
	if err == nil && grants != nil {
		if err = json.Unmarshal(grants, &k.Grants); err != nil {
			err = fmt.Errorf("API key %d: grants: %w", k.ID, err)
		}
	}
	return k, err
}
