package valuechain

import (
	"sort"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// Membership says that a NACE code belongs to a chain in a role.
type Membership struct {
	Chain string    `json:"chain"`
	Role  kume.Role `json:"role"`
}

// Matcher maps NACE codes to chain memberships. It is built once from the
// definitions and is safe for concurrent use.
type Matcher struct {
	tax      *nace.Taxonomy
	byCode   map[string][]Membership // every NACE item -> its memberships
	prefixes map[string][]string     // chain id -> store filter prefixes
}

// NewMatcher validates chains and precomputes the memberships of every NACE
// item, so that Match is a map lookup.
//
// A code belongs to a chain when it or one of its ancestors is listed there;
// its role is that of the most specific listed code, so a chain may list a
// division as supplier and one of its classes as core.
func NewMatcher(chains []kume.ValueChain, t *nace.Taxonomy) (*Matcher, error) {
	if err := Validate(chains, t); err != nil {
		return nil, err
	}
	m := &Matcher{tax: t, byCode: map[string][]Membership{}, prefixes: map[string][]string{}}
	sorted := make([]kume.ValueChain, len(chains))
	copy(sorted, chains)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, vc := range sorted {
		role := map[string]kume.Role{}
		for r, codes := range vc.Roles {
			for _, c := range codes {
				role[c] = r
			}
		}
		for _, s := range t.All(0) {
			for _, a := range t.Ancestors(s.Code) { // self first: most specific wins
				if r, ok := role[a]; ok {
					m.byCode[s.Code] = append(m.byCode[s.Code], Membership{Chain: vc.ID, Role: r})
					break
				}
			}
		}
		var ps []string
		for _, s := range t.All(0) {
			if _, ok := role[s.Code]; ok && !listedAbove(t, role, s.Code) {
				ps = append(ps, t.Prefixes(s.Code)...)
			}
		}
		m.prefixes[vc.ID] = ps
	}
	for c, ms := range m.byCode {
		m.byCode[c] = ms[:len(ms):len(ms)]
	}
	return m, nil
}

// listedAbove reports whether a proper ancestor of code is listed.
func listedAbove(t *nace.Taxonomy, listed map[string]kume.Role, code string) bool {
	for _, a := range t.Ancestors(code)[1:] {
		if _, ok := listed[a]; ok {
			return true
		}
	}
	return false
}

// Match returns the chains a NACE code belongs to and its role in each, ordered
// by chain id; nil for an unknown code or one in no chain. The code may be at
// any level and in raw form ("1320"); a code coarser than a chain's listing
// (a firm coded "13" against a chain listing "13.20") does not match. The
// returned slice is shared: do not modify it.
func (m *Matcher) Match(naceCode string) []Membership {
	if ms, ok := m.byCode[naceCode]; ok {
		return ms
	}
	c, ok := m.tax.Normalize(naceCode)
	if !ok {
		return nil
	}
	return m.byCode[c]
}

// Prefixes returns the NACE code prefixes that select a chain's establishments
// in a store filter (all roles, sections expanded to divisions, in
// classification order), or nil for an unknown chain.
func (m *Matcher) Prefixes(chain string) []string {
	ps := m.prefixes[chain]
	if ps == nil {
		return nil
	}
	return append([]string(nil), ps...)
}
