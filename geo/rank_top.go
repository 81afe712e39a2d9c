package geo

import (
	"cmp"
	"slices"

	"github.com/kume-geo/kume"
)

// numRankComponents is the number of ranking components (RankComponents).
const numRankComponents = 8

// RankRow is one unit of a compact ranking (RankTop): a key that orders ties
// (the order of the units' ids) and the unit's component values in the order
// of RankComponents, NaN where a value is unknown. A row takes 72 bytes;
// a RankUnit, with its map, several hundred.
type RankRow struct {
	Key    uint64
	Values [numRankComponents]float64
}

// RankedRow is a ranked RankRow: its key and its place in the ranking (the
// Ranked's ID, Name and NameTR are left for the caller to fill in).
type RankedRow struct {
	Key uint64
	Ranked
}

// componentIndex returns the position of a component in RankComponents, or
// -1.
func componentIndex(c string) int { return slices.Index(RankComponents(), c) }

// RankTop scores rows exactly as Rank scores units (the same percentile
// ranks, weights and float operations, so the same scores) and returns the
// first n of the ranking, best first (every row when n ≤ 0); ties in score
// keep key order. Beyond the rows it holds 16 bytes per row (one column of
// sorted values and the scores) and the n results, so a ranking of a
// million cells takes some 80 MB instead of gigabytes.
func RankTop(rows []RankRow, w Weights, n int) ([]RankedRow, error) {
	comps, wn, err := rankWeights(rows, w)
	if err != nil {
		return nil, err
	}
	scores := make([]float64, len(rows))
	sorted := make([]float64, 0, len(rows))
	for _, c := range comps {
		sorted = sortedColumn(rows, c, sorted)
		for i := range rows {
			var contribution float64
			if v := rows[i].Values[c]; finite(v) {
				contribution = wn[c] * percentileRank(sorted, v, len(rows))
			}
			scores[i] += contribution
		}
	}
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if scores[a] != scores[b] {
			return cmp.Compare(scores[b], scores[a])
		}
		return cmp.Or(cmp.Compare(rows[a].Key, rows[b].Key), cmp.Compare(a, b))
	})
	if n <= 0 || n > len(order) {
		n = len(order)
	}
	order = order[:n]
	out := make([]RankedRow, n)
	for i, j := range order {
		out[i] = RankedRow{Key: rows[j].Key, Ranked: Ranked{Rank: i + 1, Score: scores[j]}}
		if len(comps) > 0 {
			out[i].Components = make([]ComponentScore, 0, len(comps))
		}
	}
	names := RankComponents()
	for _, c := range comps {
		sorted = sortedColumn(rows, c, sorted)
		for i, j := range order {
			cs := ComponentScore{Component: names[c], Weight: wn[c]}
			if v := rows[j].Values[c]; finite(v) {
				cs.Value = fp(v)
				cs.Percentile = percentileRank(sorted, v, len(rows))
				cs.Contribution = wn[c] * cs.Percentile
			}
			out[i].Components = append(out[i].Components, cs)
		}
	}
	return out, nil
}

// rankWeights checks the weights and returns the components a ranking of
// rows uses (those with a weight that some row knows, in the order of
// RankComponents) and their weights normalised over them.
func rankWeights(rows []RankRow, w Weights) ([]int, [numRankComponents]float64, error) {
	var wn [numRankComponents]float64
	var sum float64
	for c, v := range w {
		if componentIndex(c) < 0 {
			return nil, wn, kume.Errorf(kume.EINVALID, "geo: rank: unknown component %q", c)
		}
		if !finite(v) || v < 0 {
			return nil, wn, kume.Errorf(kume.EINVALID, "geo: rank: weight of %s must be finite and non-negative, got %v", c, v)
		}
		sum += v
	}
	if sum <= 0 {
		return nil, wn, kume.Errorf(kume.EINVALID, "geo: rank: all weights are zero")
	}
	var comps []int
	var wsum float64
	for c, name := range RankComponents() {
		if w[name] == 0 {
			continue
		}
		for i := range rows {
			if finite(rows[i].Values[c]) {
				comps = append(comps, c)
				wsum += w[name]
				break
			}
		}
	}
	for _, c := range comps {
		wn[c] = w[RankComponents()[c]] / wsum
	}
	return comps, wn, nil
}

// sortedColumn returns the known values of component c of rows, sorted, in
// buf's storage.
func sortedColumn(rows []RankRow, c int, buf []float64) []float64 {
	buf = buf[:0]
	for i := range rows {
		if v := rows[i].Values[c]; finite(v) {
			buf = append(buf, v)
		}
	}
	slices.Sort(buf)
	return buf
}
