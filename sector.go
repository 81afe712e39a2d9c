package kume

import "strings"

// SectionDivisions returns the two-digit NACE Rev.2 divisions of a section
// letter ("C" → "10" … "33"), nil for a letter that is no section.
func SectionDivisions(section string) []string {
	// First and last division of sections A … U.
	ranges := [...][2]int{{1, 3}, {5, 9}, {10, 33}, {35, 35}, {36, 39}, {41, 43}, {45, 47},
		{49, 53}, {55, 56}, {58, 63}, {64, 66}, {68, 68}, {69, 75}, {77, 82}, {84, 84},
		{85, 85}, {86, 88}, {90, 93}, {94, 96}, {97, 98}, {99, 99}}
	if len(section) != 1 || section[0] < 'A' || int(section[0]-'A') >= len(ranges) {
		return nil
	}
	r := ranges[section[0]-'A']
	out := make([]string, 0, r[1]-r[0]+1)
	for d := r[0]; d <= r[1]; d++ {
		out = append(out, string([]byte{byte('0' + d/10), byte('0' + d%10)}))
	}
	return out
}

// MatchNothing is a NACE prefix no establishment has: a filter made of it
// alone selects nothing.
const MatchNothing = "-"

// SectorPrefixes expands a sector key into the NACE prefixes of an
// EstablishmentFilter: SectorAll gives nil (no restriction), a section its
// divisions, "vc:<id>" every code of that chain's roles, any other key itself.
// A key that can match nothing (an unknown section letter, a chain without
// codes) gives MatchNothing. found is false for a chain not in chains.
func SectorPrefixes(sector string, chains []ValueChain) (prefixes []string, found bool) {
	switch id, isChain := strings.CutPrefix(sector, "vc:"); {
	case sector == SectorAll:
		return nil, true
	case isChain:
		for _, vc := range chains {
			if vc.ID != id {
				continue
			}
			for _, role := range Roles() {
				prefixes = append(prefixes, vc.Roles[role]...)
			}
			if len(prefixes) == 0 {
				return []string{MatchNothing}, true
			}
			return prefixes, true
		}
		return nil, false
	case len(sector) == 1:
		if d := SectionDivisions(sector); d != nil {
			return d, true
		}
		return []string{MatchNothing}, true
	}
	return []string{sector}, true
}
