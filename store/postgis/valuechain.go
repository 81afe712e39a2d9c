package postgis

import (
	"context"
	_ "embed"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

//go:embed queries/valuechain_list.sql
var valuechainListSQL string

// ValueChains returns every stored chain ordered by id.
func (s *Store) ValueChains(ctx context.Context) ([]kume.ValueChain, error) {
	rows, _ := s.pool.Query(ctx, valuechainListSQL)
	vcs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (kume.ValueChain, error) {
		var vc kume.ValueChain
		var b []byte
		if err := row.Scan(&b); err != nil {
			return vc, err
		}
		return vc, json.Unmarshal(b, &vc)
	})
	if err != nil {
		return nil, wrap(ctx, err, "value chains")
	}
	return vcs, nil
}

//go:embed queries/valuechain_put.sql
var valuechainPutSQL string

// PutValueChain inserts or replaces a chain by id.
func (s *Store) PutValueChain(ctx context.Context, vc kume.ValueChain) error {
	if vc.ID == "" {
		return invalid("value chain without id")
	}
	b, err := json.Marshal(vc)
	if err != nil {
		return wrap(ctx, err, "put value chain")
	}
	_, err = s.pool.Exec(ctx, valuechainPutSQL, vc.ID, b)
	return wrap(ctx, err, "put value chain")
}

//go:embed queries/valuechain_delete.sql
var valuechainDeleteSQL string

// DeleteValueChain removes a chain (ENOTFOUND if none).
func (s *Store) DeleteValueChain(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, valuechainDeleteSQL, id)
	if err != nil {
		return wrap(ctx, err, "delete value chain")
	}
	if tag.RowsAffected() == 0 {
		return notFound("value chain")
	}
	return nil
}
