package nace

import "strings"

// Variant names the version of NACE Rev. 2 a register's code is written in.
// The national versions of the EU member states and of Türkiye keep NACE's
// four levels unchanged and may add a level below the class (Regulation (EC)
// No 1893/2006, article 3), so the first four digits of a national code are
// its NACE Rev. 2 class.
type Variant string

// The variants NormalizeNational recognises.
const (
	// Rev2 is NACE Rev. 2 itself ("01.11", "0111", "C").
	Rev2 Variant = ""
	// NAF is France's NAF rév. 2: a class and a letter ("01.11Z", "0111Z").
	NAF Variant = "naf"
	// FiveDigit is a national version with five digits: Belgium's NACE-BEL
	// 2008 ("94.910", "94910"), and the same form elsewhere ("01.11.0").
	FiveDigit Variant = "5-digit"
	// TurkishSixDigit is Türkiye's six-digit activity code ("01.11.01",
	// "011101").
	TurkishSixDigit Variant = "tr-6-digit"
)

// Variants lists the national variants in a stable order (Rev2 left out).
func Variants() []Variant { return []Variant{NAF, FiveDigit, TurkishSixDigit} }

// Describe returns what the variant is, for a person: "French NAF rév. 2
// subclass (class and a letter, as 0111Z)".
func (v Variant) Describe() string {
	switch v {
	case NAF:
		return "French NAF rév. 2 subclass (class and a letter, as 0111Z)"
	case FiveDigit:
		return "five-digit national code (Belgian NACE-BEL 2008 and others, as 94910)"
	case TurkishSixDigit:
		return "Turkish six-digit activity code (as 011101)"
	}
	return "NACE Rev. 2 code"
}

// NormalizeNational reads a code of NACE Rev. 2 or of one of its national
// versions and returns the NACE Rev. 2 code with the variant it was written
// in. A national code gives its class, which must exist:
//
//	"01.11Z", "0111Z", "0111 z"             -> "01.11", NAF
//	"94.910", "94910", "01.11.0"            -> "94.91", FiveDigit
//	"01.11.01", "011101"                    -> "01.11", TurkishSixDigit
//	anything Normalize accepts ("13.20")    -> as Normalize, Rev2
//
// A five-digit code is always read as a national five-digit code, never as a
// six-digit code that lost its leading zero; the summary of an import counts
// the codes of each variant so that a misreading shows.
func (t *Taxonomy) NormalizeNational(raw string) (code string, v Variant, ok bool) {
	s := strings.Trim(raw, " \t\r\n\"'")
	if s == "" || len(s) > 16 {
		return "", Rev2, false
	}
	digits, v := nationalForm(s)
	if v == Rev2 {
		code, ok = t.Normalize(s)
		return code, Rev2, ok
	}
	class := digits[:2] + "." + digits[2:4]
	if i, found := t.index[class]; !found || t.sectors[i].Level != Class {
		return "", v, false
	}
	return class, v, true
}

// nationalForm returns the digits of s and its variant when s has the form
// of a national code, and Rev2 otherwise.
func nationalForm(s string) (string, Variant) {
	// NAF: four digits, with or without a dot after two, then a letter.
	if last := s[len(s)-1] | 0x20; last >= 'a' && last <= 'z' {
		body := strings.TrimRight(s[:len(s)-1], " ")
		if d, ok := dotted(body, 4); ok {
			return d, NAF
		}
		return "", Rev2
	}
	if d, ok := dotted(s, 5); ok {
		return d, FiveDigit
	}
	if d, ok := dotted(s, 6); ok {
		return d, TurkishSixDigit
	}
	return "", Rev2
}

// dotted reports whether s is n digits written plainly or with dots after
// the second digit and, for six digits, the fourth: "0111" and "01.11" for
// four; "94910", "94.910" and "01.11.0" for five; "011101", "01.11.01" and
// "01.1101" for six. It returns the digits.
func dotted(s string, n int) (string, bool) {
	d := strings.ReplaceAll(s, ".", "")
	if len(d) != n || !allDigits(d) {
		return "", false
	}
	switch dots := len(s) - n; {
	case dots == 0:
		return d, true
	case s[2] != '.':
		return "", false
	case dots == 1:
		return d, true
	case dots == 2 && n >= 5 && s[5] == '.':
		return d, true
	}
	return "", false
}
