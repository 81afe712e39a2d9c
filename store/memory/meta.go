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
	if err := kume.CheckKeyGrants(k); err != nil {
		return err
	}
	return s.write(ctx, func(next *state) (change, error) {
		for _, o := range next.keys {
			if bytes.Equal(o.Hash, k.Hash) {
				return change{}, kume.Errorf(kume.ECONFLICT, "a key with this hash exists")
			}
		}
		for _, g := range k.Grants {
			if next.dataset(g.DatasetID) == nil {
				return change{}, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", g.DatasetID)
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
		i := keyIndex(next.keys, id)
		if i < 0 {
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

// keyIndex returns the position of key id in keys, or -1.
func keyIndex(keys []kume.APIKey, id int64) int {
	i, found := slices.BinarySearchFunc(keys, id, func(k kume.APIKey, id int64) int { return cmp.Compare(k.ID, id) })
	if !found {
		return -1
	}
	return i
}

// GrantKey gives key keyID the right g on g.DatasetID, replacing the right it
// had there.
func (s *Store) GrantKey(ctx context.Context, keyID int64, g kume.Grant) error {
	return s.write(ctx, func(next *state) (change, error) {
		i := keyIndex(next.keys, keyID)
		if i < 0 {
			return change{}, kume.Errorf(kume.ENOTFOUND, "key %d not found", keyID)
		}
		if err := kume.CheckGrant(next.keys[i].Scope, g); err != nil {
			return change{}, err
		}
		if next.dataset(g.DatasetID) == nil {
			return change{}, kume.Errorf(kume.ENOTFOUND, "dataset %d not found", g.DatasetID)
		}
		k := cloneKey(next.keys[i])
		j, found := slices.BinarySearchFunc(k.Grants, g.DatasetID, func(x kume.Grant, id int64) int { return cmp.Compare(x.DatasetID, id) })
		if found {
			k.Grants[j] = g
		} else {
			k.Grants = slices.Insert(k.Grants, j, g)
		}
		next.keys = slices.Clone(next.keys)
		next.keys[i] = k
		return change{}, nil
	})
}

// RevokeGrant takes key keyID's right on a dataset away (ENOTFOUND when it
// has none there).
func (s *Store) RevokeGrant(ctx context.Context, keyID, datasetID int64) error {
	return s.write(ctx, func(next *state) (change, error) {
		i := keyIndex(next.keys, keyID)
		if i < 0 {
			return change{}, kume.Errorf(kume.ENOTFOUND, "key %d not found", keyID)
		}
		k := cloneKey(next.keys[i])
		j, found := slices.BinarySearchFunc(k.Grants, datasetID, func(x kume.Grant, id int64) int { return cmp.Compare(x.DatasetID, id) })
		if !found {
			return change{}, kume.Errorf(kume.ENOTFOUND, "key %d has no grant on dataset %d", keyID, datasetID)
		}
		k.Grants = slices.Delete(k.Grants, j, j+1)
		next.keys = slices.Clone(next.keys)
		next.keys[i] = k
		return change{}, nil
	})
}

// dropGrants removes every key's grant on dataset id from next.
func (next *state) dropGrants(id int64) {
	var keys []kume.APIKey
	for i, k := range next.keys {
		if !slices.ContainsFunc(k.Grants, func(g kume.Grant) bool { return g.DatasetID == id }) {
			continue
		}
		if keys == nil {
			keys = slices.Clone(next.keys)
		}
		k = cloneKey(k)
		k.Grants = slices.DeleteFunc(k.Grants, func(g kume.Grant) bool { return g.DatasetID == id })
		keys[i] = k
	}
	if keys != nil {
		next.keys = keys
	}
}
