package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"

	"github.com/kume-geo/kume"
)

// ValueChains returns every stored chain ordered by id.
func (s *Store) ValueChains(ctx context.Context) ([]kume.ValueChain, error) {
	st := s.snapshot()
	out := make([]kume.ValueChain, len(st.chains))
	for i, vc := range st.chains {
		out[i] = cloneChain(vc)
	}
	return out, nil
}

func findChain(list []kume.ValueChain, id string) (int, bool) {
	return slices.BinarySearchFunc(list, id, func(vc kume.ValueChain, id string) int { return cmp.Compare(vc.ID, id) })
}

// PutValueChain inserts or replaces a chain by id.
func (s *Store) PutValueChain(ctx context.Context, vc kume.ValueChain) error {
	if vc.ID == "" {
		return kume.Errorf(kume.EINVALID, "a value chain needs an id")
	}
	vc = cloneChain(vc)
	return s.write(ctx, func(next *state) (change, error) {
		i, found := findChain(next.chains, vc.ID)
		if found {
			next.chains = slices.Clone(next.chains)
			next.chains[i] = vc
		} else {
			next.chains = slices.Insert(slices.Clip(next.chains), i, vc)
		}
		next.version++ // value-chain aggregates change meaning
		return change{}, nil
	})
}

// DeleteValueChain removes a chain (ENOTFOUND if none).
func (s *Store) DeleteValueChain(ctx context.Context, id string) error {
	return s.write(ctx, func(next *state) (change, error) {
		i, found := findChain(next.chains, id)
		if !found {
			return change{}, kume.Errorf(kume.ENOTFOUND, "value chain %q not found", id)
		}
		next.chains = slices.Delete(slices.Clone(next.chains), i, i+1)
		next.version++
		return change{}, nil
	})
}

// CreateKey stores k, setting its ID and CreatedAt.
func (s *Store) CreateKey(ctx context.Context, k *kume.APIKey) error {
	if len(k.Hash) == 0 {
		return kume.Errorf(kume.EINVALID, "an API key needs a hash")
	}
	if !k.Scope.Allows(kume.ScopeRead) {
		return kume.Errorf(kume.EINVALID, "unknown scope %q", k.Scope)
	}
	return s.write(ctx, func(next *state) (change, error) {
		for _, o := range next.keys {
			if bytes.Equal(o.Hash, k.Hash) {
				return change{}, kume.Errorf(kume.ECONFLICT, "a key with this hash exists")
			}
		}
		nk := cloneKey(*k)
		nk.ID, nk.CreatedAt, nk.RevokedAt = next.nextKey, s.now().UTC(), nil
		next.nextKey++
		next.keys = append(slices.Clip(next.keys), nk)
		k.ID, k.CreatedAt, k.RevokedAt = nk.ID, nk.CreatedAt, nil
		return change{}, nil
	})
}

// KeyByHash returns the unrevoked key with the given hash (ENOTFOUND if none).
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (*kume.APIKey, error) {
	for _, k := range s.snapshot().keys {
		if k.RevokedAt == nil && bytes.Equal(k.Hash, hash) {
			c := cloneKey(k)
			return &c, nil
		}
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "no such key")
}

// Keys lists every key ordered by id.
func (s *Store) Keys(ctx context.Context) ([]kume.APIKey, error) {
	st := s.snapshot()
	out := make([]kume.APIKey, len(st.keys))
	for i, k := range st.keys {
		out[i] = cloneKey(k)
	}
	return out, nil
}

// RevokeKey marks a key revoked (ENOTFOUND if none). Revoking a revoked key
// keeps its first revocation time.
func (s *Store) RevokeKey(ctx context.Context, id int64) error {
	return s.write(ctx, func(next *state) (change, error) {
		i, found := slices.BinarySearchFunc(next.keys, id, func(k kume.APIKey, id int64) int { return cmp.Compare(k.ID, id) })
		if !found {
			return change{}, kume.Errorf(kume.ENOTFOUND, "key %d not found", id)
		}
		if next.keys[i].RevokedAt != nil {
			return change{}, nil
		}
		next.keys = slices.Clone(next.keys)
		now := s.now().UTC()
		next.keys[i].RevokedAt = &now
		return change{}, nil
	})
}
