// Package nace is the NACE Rev. 2 classification of economic activities: 21
// sections, 88 divisions, 272 groups and 615 classes with English and Turkish
// names, plus Türkiye's 6-digit national activity codes, all shipped inside the
// binary. It normalises codes as they appear in registers ("1320", "13,20",
// "13.20.01"), rolls classes up to their group, division and section, and
// searches by code or name with Turkish-aware folding (see Fold).
//
// Sources and attribution:
//   - English names and the hierarchy: "Eurostat, NACE Rev. 2", CC BY 4.0.
//   - Turkish names and the national codes: Türkiye's official list of
//     activities by occupational-safety hazard class (an official legal text),
//     as republished in the repository HErsoy09/isg, file data/nace.json.
//
// The embedded table data/nace.tsv is generated from both by internal/gen,
// which also repairs the upper-level codes that a spreadsheet mangled in the
// Turkish list. Section V and its codes 66.13.xx, Turkish additions without a
// NACE Rev. 2 counterpart, are left out.
package nace

//go:generate go run ./internal/gen -en internal/gen/testdata/nace-rev2-en.csv -tr internal/gen/testdata/nace-rev2-tr.json -o data/nace.tsv

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

//go:embed data/nace.tsv
var table string

// Level is the depth of a NACE item.
type Level int

// NACE levels.
const (
	Section  Level = 1 // a letter, "C"
	Division Level = 2 // two digits, "13"
	Group    Level = 3 // "13.2"
	Class    Level = 4 // "13.20"
)

// national is the level of Türkiye's 6-digit codes in the embedded table.
const national Level = 5

// String returns the level's English name.
func (l Level) String() string {
	switch l {
	case Section:
		return "section"
	case Division:
		return "division"
	case Group:
		return "group"
	case Class:
		return "class"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// Sector is one NACE item.
type Sector struct {
	Code   string // normalised: "C", "13", "13.2", "13.20"
	Level  Level
	Parent string // "" for a section
	NameEN string
	NameTR string
}

// NationalActivity is one of Türkiye's 6-digit activity codes, a subdivision of
// a NACE class used in Turkish registers.
type NationalActivity struct {
	Code   string // "13.20.01"
	Class  string // "13.20"
	NameTR string
}

// Taxonomy is the parsed classification. It is read-only and safe for
// concurrent use.
type Taxonomy struct {
	sectors  []Sector       // in classification order
	index    map[string]int // code -> position in sectors
	children map[string][]int
	national []NationalActivity
	natIndex map[string]int
	natBy    map[string][]int  // class -> positions in national
	search   []searchEntry     // parallel to sectors
	markets  map[string]Market // the traded/local table by listed code
}

// New parses the embedded classification.
func New() (*Taxonomy, error) {
	t := &Taxonomy{
		index:    make(map[string]int, 1000),
		children: make(map[string][]int, 400),
		natIndex: make(map[string]int, 2300),
		natBy:    make(map[string][]int, 615),
	}
	sc := bufio.NewScanner(strings.NewReader(table))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("nace: data line %d: %d fields", line, len(f))
		}
		lvl, err := strconv.Atoi(f[1])
		if err != nil || lvl < int(Section) || lvl > int(national) {
			return nil, fmt.Errorf("nace: data line %d: bad level %q", line, f[1])
		}
		if Level(lvl) == national {
			if _, ok := t.index[f[2]]; !ok {
				return nil, fmt.Errorf("nace: data line %d: unknown class %q", line, f[2])
			}
			t.natIndex[f[0]] = len(t.national)
			t.natBy[f[2]] = append(t.natBy[f[2]], len(t.national))
			t.national = append(t.national, NationalActivity{Code: f[0], Class: f[2], NameTR: f[4]})
			continue
		}
		if _, dup := t.index[f[0]]; dup {
			return nil, fmt.Errorf("nace: data line %d: duplicate code %q", line, f[0])
		}
		if f[2] != "" {
			if _, ok := t.index[f[2]]; !ok {
				return nil, fmt.Errorf("nace: data line %d: parent %q not defined before %q", line, f[2], f[0])
			}
		}
		t.index[f[0]] = len(t.sectors)
		t.children[f[2]] = append(t.children[f[2]], len(t.sectors))
		t.sectors = append(t.sectors, Sector{Code: f[0], Level: Level(lvl), Parent: f[2], NameEN: f[3], NameTR: f[4]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("nace: data: %w", err)
	}
	if len(t.sectors) == 0 {
		return nil, errors.New("nace: data: empty")
	}
	t.buildSearch()
	if err := t.loadMarkets(); err != nil {
		return nil, err
	}
	return t, nil
}

// Lookup returns the item with the given code, in normalised or raw form
// (anything Normalize accepts).
func (t *Taxonomy) Lookup(code string) (Sector, bool) {
	if i, ok := t.index[code]; ok {
		return t.sectors[i], true
	}
	c, ok := t.Normalize(code)
	if !ok {
		return Sector{}, false
	}
	return t.sectors[t.index[c]], true
}

// Normalize returns the normalised form of a NACE code as registers write it,
// and whether it names a known item:
//
//	"C", "c"                       -> "C"
//	"13"                           -> "13"
//	"13.2", "132", "13,2"          -> "13.2"
//	"13.20", "1320", "13,20"       -> "13.20"
//	"1.11", "01.11", "0111"        -> "01.11"
//	"13.20.01", "132001", "C13.20" -> "13.20" (a national 6-digit code gives its class)
//
// Surrounding white space and quotes are ignored. Five-digit codes are
// ambiguous (a national code that lost its leading zero, or a register's own
// branch code) and are rejected.
func (t *Taxonomy) Normalize(raw string) (string, bool) {
	s := strings.Trim(raw, " \t\r\n\"'")
	if s == "" || len(s) > 16 {
		return "", false
	}
	if c := s[0] | 0x20; c >= 'a' && c <= 'z' {
		sec := string(c &^ 0x20)
		if len(s) == 1 {
			if _, ok := t.index[sec]; !ok {
				return "", false
			}
			return sec, true
		}
		// A section letter before the code: "C13.20", "C 13.20", "C-13.20".
		rest := strings.TrimLeft(s[1:], " -")
		code, ok := t.normalizeDigits(rest)
		if !ok || t.Section(code) != sec {
			return "", false
		}
		return code, true
	}
	return t.normalizeDigits(s)
}

// normalizeDigits normalises a numeric code.
func (t *Taxonomy) normalizeDigits(s string) (string, bool) {
	s = strings.ReplaceAll(s, ",", ".")
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if !allDigits(p) {
			return "", false
		}
	}
	var code string
	switch len(parts) {
	case 1:
		switch p := parts[0]; len(p) {
		case 1:
			code = "0" + p
		case 2:
			code = p
		case 3:
			code = p[:2] + "." + p[2:]
		case 4, 6:
			code = p[:2] + "." + p[2:4]
		default:
			return "", false
		}
	case 2, 3:
		div, sub := parts[0], parts[1]
		switch len(div) {
		case 1:
			div = "0" + div
		case 2:
		default:
			return "", false
		}
		if len(parts) == 3 && (len(sub) != 2 || len(parts[2]) != 2) {
			return "", false
		}
		if len(sub) != 1 && len(sub) != 2 {
			return "", false
		}
		code = div + "." + sub
	default:
		return "", false
	}
	if _, ok := t.index[code]; !ok {
		return "", false
	}
	return code, true
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Ancestors returns the code and its ancestors, self first and section last:
// "13.20" -> ["13.20", "13.2", "13", "C"]. It returns nil for an unknown code.
func (t *Taxonomy) Ancestors(code string) []string {
	s, ok := t.Lookup(code)
	if !ok {
		return nil
	}
	out := make([]string, 0, int(s.Level))
	for {
		out = append(out, s.Code)
		if s.Parent == "" {
			return out
		}
		s = t.sectors[t.index[s.Parent]]
	}
}

// Section returns the section letter of any code, or "" for an unknown one.
func (t *Taxonomy) Section(code string) string {
	a := t.Ancestors(code)
	if len(a) == 0 {
		return ""
	}
	return a[len(a)-1]
}

// Children returns the items directly below code in classification order; the
// sections for "". It returns nil for an unknown code or a class.
func (t *Taxonomy) Children(code string) []Sector {
	if code != "" {
		s, ok := t.Lookup(code)
		if !ok {
			return nil
		}
		code = s.Code
	}
	idx := t.children[code]
	if len(idx) == 0 {
		return nil
	}
	out := make([]Sector, len(idx))
	for i, j := range idx {
		out[i] = t.sectors[j]
	}
	return out
}

// All returns every item of the given level in classification order; every
// item of every level for 0, and nil for any other level.
func (t *Taxonomy) All(level Level) []Sector {
	if level < 0 || level > Class {
		return nil
	}
	var out []Sector
	for _, s := range t.sectors {
		if level == 0 || s.Level == level {
			out = append(out, s)
		}
	}
	return out
}

// Prefixes returns the code prefixes that select an item's establishments in a
// store filter: the divisions of a section ("C" -> ["10", "11", ..., "33"]),
// the normalised code itself otherwise ("13.2" -> ["13.2"]). Establishments
// coded only with a section letter are not matched by a section's prefixes.
// It returns nil for an unknown code.
func (t *Taxonomy) Prefixes(code string) []string {
	s, ok := t.Lookup(code)
	if !ok {
		return nil
	}
	if s.Level != Section {
		return []string{s.Code}
	}
	var out []string
	for _, j := range t.children[s.Code] {
		out = append(out, t.sectors[j].Code)
	}
	return out
}

// National returns Türkiye's national activity with the given 6-digit code
// ("13.20.01" or "132001").
func (t *Taxonomy) National(code string) (NationalActivity, bool) {
	c := strings.TrimSpace(code)
	if len(c) == 6 && allDigits(c) {
		c = c[:2] + "." + c[2:4] + "." + c[4:]
	}
	i, ok := t.natIndex[c]
	if !ok {
		return NationalActivity{}, false
	}
	return t.national[i], true
}

// NationalActivities returns the national activities of a class in code
// order, or nil when it has none.
func (t *Taxonomy) NationalActivities(class string) []NationalActivity {
	s, ok := t.Lookup(class)
	if !ok {
		return nil
	}
	idx := t.natBy[s.Code]
	if len(idx) == 0 {
		return nil
	}
	out := make([]NationalActivity, len(idx))
	for i, j := range idx {
		out[i] = t.national[j]
	}
	return out
}
