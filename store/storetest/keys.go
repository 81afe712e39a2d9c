package storetest

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

func testValueChains(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	list, err := s.ValueChains(ctx)
	must(t, err, "ValueChains on an empty store")
	if len(list) != 0 {
		t.Fatalf("empty store has %d value chains", len(list))
	}
	textiles := kume.ValueChain{ID: "textiles", Name: map[string]string{"en": "Textiles", "tr": "Tekstil"},
		Roles: map[kume.Role][]string{
			kume.RoleCore:     {"13", "14"},
			kume.RoleSupplier: {"20.60", "28.94"},
			kume.RoleService:  {"74.10"},
		}, Source: "EU Cluster Observatory"}
	auto := kume.ValueChain{ID: "automotive", Name: map[string]string{"en": "Automotive"},
		Roles: map[kume.Role][]string{kume.RoleCore: {"29"}}}
	must(t, s.PutValueChain(ctx, textiles), "PutValueChain")
	must(t, s.PutValueChain(ctx, auto), "PutValueChain")
	assertChains(t, s, []kume.ValueChain{auto, textiles})

	auto.Name["tr"] = "Otomotiv"
	auto.Roles[kume.RoleDistribution] = []string{"45.1"}
	must(t, s.PutValueChain(ctx, auto), "PutValueChain (replace)")
	assertChains(t, s, []kume.ValueChain{auto, textiles})

	must(t, s.DeleteValueChain(ctx, "textiles"), "DeleteValueChain")
	assertChains(t, s, []kume.ValueChain{auto})
	wantCode(t, s.DeleteValueChain(ctx, "textiles"), kume.ENOTFOUND, "DeleteValueChain twice")
}

func assertChains(t testing.TB, s kume.ValueChainStore, want []kume.ValueChain) {
	t.Helper()
	got, err := s.ValueChains(t.Context())
	must(t, err, "ValueChains")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ValueChains:\n got %+v\nwant %+v", got, want)
	}
}

func testKeys(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	list, err := s.Keys(ctx)
	must(t, err, "Keys on an empty store")
	if len(list) != 0 {
		t.Fatalf("empty store has %d keys", len(list))
	}
	h1, h2 := sha256.Sum256([]byte("secret one")), sha256.Sum256([]byte("secret two"))
	before := time.Now()
	k1 := &kume.APIKey{Name: "analyst", Scope: kume.ScopeRead, Hash: h1[:]}
	k2 := &kume.APIKey{Name: "importer", Scope: kume.ScopeWrite, Hash: h2[:]}
	must(t, s.CreateKey(ctx, k1), "CreateKey")
	must(t, s.CreateKey(ctx, k2), "CreateKey")
	after := time.Now()
	if k1.ID <= 0 || k2.ID <= 0 || k1.ID == k2.ID {
		t.Fatalf("key ids %d and %d: want distinct positive ids", k1.ID, k2.ID)
	}
	checkImportedAt(t, "CreatedAt", k1.CreatedAt, before, after)

	got, err := s.KeyByHash(ctx, h2[:])
	must(t, err, "KeyByHash")
	assertKey(t, "KeyByHash", *got, *k2)
	other := sha256.Sum256([]byte("unknown"))
	_, err = s.KeyByHash(ctx, other[:])
	wantCode(t, err, kume.ENOTFOUND, "KeyByHash(unknown)")

	must(t, s.RevokeKey(ctx, k1.ID), "RevokeKey")
	_, err = s.KeyByHash(ctx, h1[:])
	wantCode(t, err, kume.ENOTFOUND, "KeyByHash(revoked)")
	wantCode(t, s.RevokeKey(ctx, k1.ID+k2.ID+100), kume.ENOTFOUND, "RevokeKey(missing)")

	keys, err := s.Keys(ctx)
	must(t, err, "Keys")
	if len(keys) != 2 || keys[0].ID > keys[1].ID {
		t.Fatalf("Keys = %+v, want 2 ordered by id", keys)
	}
	byID := map[int64]kume.APIKey{keys[0].ID: keys[0], keys[1].ID: keys[1]}
	revoked := byID[k1.ID]
	if revoked.RevokedAt == nil {
		t.Errorf("revoked key has no RevokedAt")
	} else {
		checkImportedAt(t, "RevokedAt", *revoked.RevokedAt, before, time.Now())
	}
	revoked.RevokedAt = nil
	assertKey(t, "revoked key", revoked, *k1)
	assertKey(t, "live key", byID[k2.ID], *k2)
}

// assertKey compares keys, CreatedAt to the microsecond.
func assertKey(t testing.TB, what string, got, want kume.APIKey) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Scope != want.Scope || !bytes.Equal(got.Hash, want.Hash) ||
		!got.CreatedAt.Truncate(time.Microsecond).Equal(want.CreatedAt.Truncate(time.Microsecond)) ||
		(got.RevokedAt == nil) != (want.RevokedAt == nil) || !sameGrants(got.Grants, want.Grants) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}
