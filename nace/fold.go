package nace

import (
	"strings"
	"unicode"
)

// Fold returns a key for matching names, not for display. It lower-cases s,
// folds Turkish and other Latin letters with diacritics to their base letter
// (ç->c, ğ->g, ş->s, ö->o, ü->u, â->a, î->i, û->u, é->e, ß->ss, ...), drops
// combining marks, and turns every run of other characters (white space,
// punctuation, symbols) into one space, trimmed at both ends.
//
// All four Turkish i's (I, İ, ı, i) fold to "i". Turkish case rules would map
// I to ı, and other languages' rules map İ to "i̇"; neither lets "ISTANBUL",
// "İstanbul", "istanbul" and "ıstanbul" meet. The price is that Turkish word
// pairs told apart only by the dot (sık/sik) fold alike, which is harmless for
// search and name matching. Fold is idempotent: Fold(Fold(s)) == Fold(s).
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark: part of the letter before it
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			foldRune(&b, r)
		default:
			gap = true
		}
	}
	return b.String()
}

// foldRune writes the folded form of a letter or digit.
func foldRune(b *strings.Builder, r rune) {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	switch r {
	case 'ß', 'ẞ':
		b.WriteString("ss")
		return
	case 'æ', 'Æ':
		b.WriteString("ae")
		return
	case 'œ', 'Œ':
		b.WriteString("oe")
		return
	}
	l := unicode.ToLower(r)
	switch l {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		l = 'a'
	case 'ç', 'ć', 'ĉ', 'ċ', 'č':
		l = 'c'
	case 'ď', 'đ':
		l = 'd'
	case 'è', 'é', 'ê', 'ë', 'ē', 'ĕ', 'ė', 'ę', 'ě':
		l = 'e'
	case 'ĝ', 'ğ', 'ġ', 'ģ':
		l = 'g'
	case 'ĥ', 'ħ':
		l = 'h'
	case 'ì', 'í', 'î', 'ï', 'ĩ', 'ī', 'ĭ', 'į', 'ı', 'İ':
		l = 'i'
	case 'ĵ':
		l = 'j'
	case 'ķ':
		l = 'k'
	case 'ĺ', 'ļ', 'ľ', 'ŀ', 'ł':
		l = 'l'
	case 'ñ', 'ń', 'ņ', 'ň':
		l = 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ŏ', 'ő':
		l = 'o'
	case 'ŕ', 'ŗ', 'ř':
		l = 'r'
	case 'ś', 'ŝ', 'ş', 'š', 'ș':
		l = 's'
	case 'ţ', 'ť', 'ŧ', 'ț':
		l = 't'
	case 'ù', 'ú', 'û', 'ü', 'ũ', 'ū', 'ŭ', 'ů', 'ű', 'ų':
		l = 'u'
	case 'ŵ':
		l = 'w'
	case 'ý', 'ÿ', 'ŷ':
		l = 'y'
	case 'ź', 'ż', 'ž':
		l = 'z'
	}
	b.WriteRune(l)
}
