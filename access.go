package kume

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
)

// Right is what a grant lets an API key do with one dataset.
type Right string

// Rights a key may be granted on a dataset. Write includes read.
const (
	RightRead  Right = "read"
	RightWrite Right = "write"
)

// Valid reports whether r is a known right.
func (r Right) Valid() bool { return r == RightRead || r == RightWrite }

// Grant gives an API key a right on one dataset: read lets it see a private
// dataset's establishments and the analyses that read them; write also lets
// it import into the dataset, change its visibility and description, delete
// it and follow its import jobs.
type Grant struct {
	DatasetID int64 `json:"dataset_id"`
	Right     Right `json:"right"`
}

// CheckGrant validates a grant for a key of scope s: a known right on a
// dataset id, read for read and write keys, write for write keys only.
// Admin keys take no grants: they read and write every dataset.
func CheckGrant(s Scope, g Grant) error {
	switch {
	case g.DatasetID <= 0:
		return Errorf(EINVALID, "a grant needs a dataset")
	case !g.Right.Valid():
		return Errorf(EINVALID, "unknown right %q: want read or write", g.Right)
	case s == ScopeAdmin:
		return Errorf(EINVALID, "an admin key reads and writes every dataset: it takes no grants")
	case g.Right == RightWrite && !s.Allows(ScopeWrite):
		return Errorf(EINVALID, "a %s key cannot be granted write: create a key with the write scope", s)
	case !s.Allows(ScopeRead):
		return Errorf(EINVALID, "unknown scope %q", s)
	}
	return nil
}

// Access is what one caller may read and write of the datasets, made from
// its API key by AccessOf. Without a key (and with a key without grants) a
// caller reads the public datasets only; a grant adds one dataset; an admin
// key reads and writes every dataset. Writing a dataset takes a write grant
// on it (or an admin key) besides a key with the write scope.
type Access struct {
	key    bool
	admin  bool
	write  bool // the key's scope allows writes
	grants map[int64]Right
}

// AccessOf returns the access of a caller with key k (nil: anonymous).
// Grants of a key are read as CheckGrant allows them: a write grant of a read
// key gives read only.
func AccessOf(k *APIKey) Access {
	if k == nil {
		return Access{}
	}
	a := Access{key: true, admin: k.Scope == ScopeAdmin, write: k.Scope.Allows(ScopeWrite)}
	if len(k.Grants) > 0 && !a.admin {
		a.grants = make(map[int64]Right, len(k.Grants))
		for _, g := range k.Grants {
			r := g.Right
			if r == RightWrite && !a.write {
				r = RightRead
			}
			if r.Valid() {
				a.grants[g.DatasetID] = r
			}
		}
	}
	return a
}

// FullAccess returns the access of the store's owner (the command line, the
// server's own work): every dataset, as an admin key.
func FullAccess() Access { return Access{key: true, admin: true, write: true} }

// Anonymous reports whether the caller has no key.
func (a Access) Anonymous() bool { return !a.key }

// All reports whether the caller reads and writes every dataset (an admin key).
func (a Access) All() bool { return a.admin }

// CanRead reports whether the caller may see d's establishments: d is
// public, granted (read or write) or the caller is an admin.
func (a Access) CanRead(d *Dataset) bool {
	if d == nil {
		return false
	}
	_, granted := a.grants[d.ID]
	return d.Visibility == Public || a.admin || granted
}

// CanWrite reports whether the caller may import into d, change it or
// delete it: an admin, or a write key granted write on d.
func (a Access) CanWrite(d *Dataset) bool {
	return d != nil && (a.admin || (a.write && a.grants[d.ID] == RightWrite))
}

// Granted returns the ids of the datasets the caller was granted, ascending.
func (a Access) Granted() []int64 {
	return slices.Sorted(maps.Keys(a.grants))
}

// Restrict sets f to read the establishments the caller may read, whatever
// f asked: every dataset for an admin (PublicOnly off), else the public
// datasets and the granted ones (PublicOnly with Granted). Its other fields
// stay.
func (a Access) Restrict(f *EstablishmentFilter) {
	if a.admin {
		f.PublicOnly, f.Granted = false, nil
		return
	}
	f.PublicOnly = true
	f.Granted = a.Granted()
}

// Key returns a string that is equal for two accesses exactly when they read
// the same datasets: "all", or the granted ids ("" for public data only). Caches
// of what a caller reads key their entries with it.
func (a Access) Key() string {
	if a.admin {
		return "all"
	}
	b := make([]byte, 0, 8*len(a.grants))
	for i, id := range a.Granted() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// CheckKeyGrants validates the grants of a key to be created (CheckGrant,
// at most one per dataset) and orders them by dataset id, as stores return
// them.
func CheckKeyGrants(k *APIKey) error {
	slices.SortFunc(k.Grants, func(x, y Grant) int { return cmp.Compare(x.DatasetID, y.DatasetID) })
	for i, g := range k.Grants {
		if err := CheckGrant(k.Scope, g); err != nil {
			return err
		}
		if i > 0 && k.Grants[i-1].DatasetID == g.DatasetID {
			return Errorf(EINVALID, "two grants on dataset %d", g.DatasetID)
		}
	}
	return nil
}
