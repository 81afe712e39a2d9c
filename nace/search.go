package nace

import (
	"sort"
	"strings"
)

// DefaultSearchLimit is the number of results Search returns when asked for
// limit <= 0.
const DefaultSearchLimit = 20

// searchEntry holds the folded names of one item.
type searchEntry struct {
	digits string   // the code without dots ("1320"); "" for a section
	names  []string // folded English and Turkish names
	natl   []string // folded names of the item's national activities
}

// Match ranks of Search, best first.
const (
	rankCode       = iota // the query is the item's code
	rankCodePrefix        // the query is a prefix of the code
	rankName              // a name equals or starts with the query
	rankWords             // every query word starts a word of a name
	rankSubstring         // a name contains the query
	rankNational          // a national activity of the class matches by words
	noMatch
)

func (t *Taxonomy) buildSearch() {
	t.search = make([]searchEntry, len(t.sectors))
	for i, s := range t.sectors {
		e := &t.search[i]
		if s.Level != Section {
			e.digits = strings.ReplaceAll(s.Code, ".", "")
		}
		e.names = []string{Fold(s.NameEN), Fold(s.NameTR)}
		for _, j := range t.natBy[s.Code] {
			e.natl = append(e.natl, Fold(t.national[j].NameTR))
		}
	}
}

// Search finds items by code or by name, in English or Turkish, and returns at
// most limit of them (DefaultSearchLimit when limit <= 0), of the given level
// or of every level for 0. Names are compared after Fold, so "dokuma",
// "DOKUMA" and "Dokumacılık" find the same items. Results are ranked: the
// exact code first, then codes starting with the query ("13.2", "132"), then
// names equal to or starting with the query, then names where every query
// word starts a word, then names containing the query, then classes whose
// national activities match by words (so "fındık" finds 01.25); ties keep
// classification order.
func (t *Taxonomy) Search(q string, level Level, limit int) []Sector {
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	if level < 0 || level > Class {
		return nil
	}
	fq := Fold(q)
	if fq == "" {
		return nil
	}
	exact, _ := t.Normalize(q)
	digits := codeDigits(q)
	words := strings.Fields(fq)
	type hit struct{ rank, idx int }
	var hits []hit
	for i, s := range t.sectors {
		if level != 0 && s.Level != level {
			continue
		}
		e := &t.search[i]
		r := noMatch
		switch {
		case s.Code == exact:
			r = rankCode
		case digits != "" && e.digits != "" && strings.HasPrefix(e.digits, digits):
			r = rankCodePrefix
		default:
			for _, n := range e.names {
				r = min(r, rankText(n, fq, words))
			}
			if r == noMatch {
				for _, n := range e.natl {
					if rankText(n, fq, words) <= rankWords {
						r = rankNational
						break
					}
				}
			}
		}
		if r != noMatch {
			hits = append(hits, hit{r, i})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].rank < hits[b].rank })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Sector, len(hits))
	for i, h := range hits {
		out[i] = t.sectors[h.idx]
	}
	return out
}

// rankText ranks a folded name against a folded query and its words.
func rankText(name, fq string, words []string) int {
	if strings.HasPrefix(name, fq) {
		return rankName
	}
	if wordsMatch(name, words) {
		return rankWords
	}
	if strings.Contains(name, fq) {
		return rankSubstring
	}
	return noMatch
}

// wordsMatch reports whether every query word starts some word of name.
func wordsMatch(name string, words []string) bool {
	for _, w := range words {
		if !strings.HasPrefix(name, w) && !strings.Contains(name, " "+w) {
			return false
		}
	}
	return true
}

// codeDigits returns the digits of q when q looks like a numeric code
// ("13.2", "13,20", "132"), else "".
func codeDigits(q string) string {
	q = strings.TrimSpace(q)
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '.' || c == ',':
		default:
			return ""
		}
	}
	d := b.String()
	if len(d) == 1 {
		d = "0" + d // "1" means division 01
	}
	return d
}
