package geo

import (
	"slices"
	"strings"
)

// Which sector keys form clusters. A cluster is the firms of one value chain
// concentrated in one place: so the keys that can form one are the value
// chains, each tested on its core roles (the chain's own activity; its
// suppliers, services and distributors are the chain around it and appear in
// the cluster's composition), and the NACE divisions of traded activities
// (Input.Traded), for sectors no chain describes. Never a cluster: all firms
// together (agglomeration, not specialisation), a NACE section (too broad to
// be one value chain), groups and classes (they show inside a cluster as its
// composition), and local divisions that follow population (retail,
// restaurants, personal services…) unless Params.IncludeLocal names them.

// clusterFocus returns, per sector id of d, the sector id of the activity
// its specialisation test counts, or -1 for a key that forms no clusters.
func clusterFocus(d *data, in *Input, p *Params) []int32 {
	out := make([]int32, len(d.keys))
	for s, key := range d.keys {
		out[s] = -1
		switch d.keyLevel[s] {
		case LevelChain:
			if c, ok := d.keyIdx[coreKey(strings.TrimPrefix(key, "vc:"))]; ok {
				out[s] = c
			}
		case LevelDivision:
			if tradedDivision(key, in, p) {
				out[s] = int32(s)
			}
		}
	}
	return out
}

// tradedDivision reports whether a NACE division may form clusters: a traded
// activity, or a local one the parameters include.
func tradedDivision(div string, in *Input, p *Params) bool {
	if in.Traded == nil || in.Traded(div) {
		return true
	}
	return slices.Contains(p.IncludeLocal, div) || slices.Contains(p.IncludeLocal, "*")
}
