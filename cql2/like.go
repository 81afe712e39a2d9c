package cql2

// likeElem is one element of a compiled LIKE pattern.
type likeElem struct {
	any bool // % : any run of characters
	one bool // _ : exactly one character
	r   rune // otherwise this character
}

// compileLike compiles a LIKE pattern: % matches any run of characters
// (none included), _ exactly one, and a backslash makes the character after
// it literal (a trailing backslash is itself literal).
func compileLike(pattern string) []likeElem {
	rs := []rune(pattern)
	out := make([]likeElem, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			i++
			out = append(out, likeElem{r: rs[i]})
		case r == '%':
			if len(out) == 0 || !out[len(out)-1].any { // %% is %
				out = append(out, likeElem{any: true})
			}
		case r == '_':
			out = append(out, likeElem{one: true})
		default:
			out = append(out, likeElem{r: r})
		}
	}
	return out
}

// likeMatch reports whether s matches the compiled pattern. It walks both
// once and, on a mismatch, retries from the last % with one more character
// swallowed: O(len(s)·len(p)) at worst, without recursion.
func likeMatch(p []likeElem, s string) bool {
	rs := []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(rs) {
		switch {
		case pi < len(p) && p[pi].any:
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi].one || p[pi].r == rs[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].any {
		pi++
	}
	return pi == len(p)
}
