package geo

import (
	"iter"
	"strings"
	"time"

	"github.com/kume-geo/kume"
)

// ChainRole is one value-chain membership of a NACE code: the chain's id and the
// role the code plays in it.
type ChainRole struct {
	Chain string    `json:"chain"`
	Role  kume.Role `json:"role"`
}

// Input is the data of one analysis. The functions keep geo independent of the
// packages that define the NACE taxonomy and the value chains.
type Input struct {
	// Establishments yields every firm and institution once. The yielded
	// pointer is only read during the call; the source may reuse it. Use Slice
	// for an in-memory slice.
	Establishments iter.Seq[*kume.Establishment]
	// Regions are the areas of the region statistics (any levels).
	Regions []kume.Region
	// Ancestors returns a NACE code followed by its ancestors, finest first
	// (e.g. "13.20" → ["13.20","13.2","13","C"]). Nil derives group and
	// division from the code's digits (no section).
	Ancestors func(code string) []string
	// ChainsOf returns the value chains a NACE code belongs to, with its role.
	ChainsOf func(nace string) []ChainRole
	// Chains optionally lists the chains with their full role sets, so that a
	// footprint can report the roles it lacks; without it the roles present
	// anywhere in the data are taken as the chain's roles.
	Chains []kume.ValueChain
	// Traded reports whether a NACE code (of any level) is a traded
	// activity rather than a local one that follows population. Local
	// divisions form no clusters (unless Params.IncludeLocal names them),
	// and the U.S. Cluster Mapping LQ convention divides by traded totals.
	// Nil treats every activity as traded.
	Traded func(nace string) bool
	// SectorNames returns the English and Turkish names of a sector key
	// ("62", "vc:ict"), with which clusters are named; nil names them by key.
	SectorNames func(key string) (en, tr string)
	// NearestPlace returns the English and Turkish names of the town
	// nearest to a point and its distance, for the clusters that no loaded
	// region holds; nil leaves them named by their coordinates.
	NearestPlace func(lon, lat float64) (en, tr string, km float64, ok bool)
	// RefDate is the reference date for active/closed status and dynamism
	// (zero means now).
	RefDate time.Time
}

// Slice returns an establishment sequence over es.
func Slice(es []kume.Establishment) iter.Seq[*kume.Establishment] {
	return func(yield func(*kume.Establishment) bool) {
		for i := range es {
			if !yield(&es[i]) {
				return
			}
		}
	}
}

// SectorLevel returns the level of a sector key: "all", "section", "division",
// "group", "class", "chain", or "other" for a key of no known shape.
func SectorLevel(key string) string {
	switch {
	case key == kume.SectorAll:
		return LevelAll
	case strings.HasPrefix(key, "vc:"):
		return LevelChain
	case len(key) == 1 && key[0] >= 'A' && key[0] <= 'Z':
		return LevelSection
	case len(key) == 2 && digits(key):
		return LevelDivision
	case len(key) == 4 && key[2] == '.' && digits(key[:2]) && digits(key[3:]):
		return LevelGroup
	case len(key) == 5 && key[2] == '.' && digits(key[:2]) && digits(key[3:]):
		return LevelClass
	}
	return "other"
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// defaultAncestors derives the group and division from a NACE code's digits.
func defaultAncestors(code string) []string {
	switch SectorLevel(code) {
	case LevelClass:
		return []string{code, code[:4], code[:2]}
	case LevelGroup:
		return []string{code, code[:2]}
	}
	return []string{code}
}

// ChainKey returns the sector key of a value chain.
func ChainKey(id string) string { return "vc:" + id }
