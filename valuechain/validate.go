package valuechain

import (
	"errors"
	"fmt"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// MaxIDLength is the longest chain id Validate accepts.
const MaxIDLength = 64

// Validate checks chains against the taxonomy: ids unique, non-empty, at most
// MaxIDLength characters of [a-z0-9_-]; an English name; known roles; every
// code a known NACE code in normalised form ("13.20", not "1320"); at least
// one core code; and no code listed twice in one chain, since a code's role in
// a chain must be unambiguous. It reports every problem found, each naming its
// chain.
func Validate(chains []kume.ValueChain, t *nace.Taxonomy) error {
	if t == nil {
		return errors.New("valuechain: nil taxonomy")
	}
	var errs []error
	seen := map[string]bool{}
	for i, vc := range chains {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("valuechain: %s: %s", chainName(vc.ID, i), fmt.Sprintf(format, args...)))
		}
		switch {
		case vc.ID == "":
			fail("no id")
		case !validID(vc.ID):
			fail("id must be 1-%d characters of a-z, 0-9, '_' and '-'", MaxIDLength)
		case seen[vc.ID]:
			fail("duplicate id")
		}
		seen[vc.ID] = true
		if vc.Name["en"] == "" {
			fail("no English name (name.en)")
		}
		if len(vc.Roles[kume.RoleCore]) == 0 {
			fail("no core code")
		}
		listed := map[string]kume.Role{}
		for _, role := range sortedRoles(vc.Roles) {
			if !validRole(role) {
				fail("unknown role %q", role)
				continue
			}
			for _, code := range vc.Roles[role] {
				norm, ok := t.Normalize(code)
				switch {
				case !ok:
					fail("role %s: unknown NACE code %q", role, code)
					continue
				case norm != code:
					fail("role %s: code %q is not in normalised form (want %q)", role, code, norm)
					continue
				}
				if prev, dup := listed[code]; dup {
					fail("code %s listed twice (roles %s and %s)", code, prev, role)
				}
				listed[code] = role
			}
		}
	}
	return errors.Join(errs...)
}

// validID reports whether id is a valid chain id.
func validID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// sortedRoles returns the roles of m: the known ones in kume.Roles order, then
// any others sorted.
func sortedRoles(m map[kume.Role][]string) []kume.Role {
	var out, other []kume.Role
	for _, r := range kume.Roles() {
		if _, ok := m[r]; ok {
			out = append(out, r)
		}
	}
	for r := range m {
		if !validRole(r) {
			other = append(other, r)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}
