package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Row is one NACE Rev. 2 item of the merged table.
type Row struct {
	Code   string
	Level  int // 1 section .. 4 class
	Parent string
	NameEN string
	NameTR string
}

// National is one of Türkiye's 6-digit activity codes (a subdivision of a class).
type National struct {
	Code   string // "01.11.07"
	Class  string // "01.11"
	NameTR string
}

// Assignment records how one Turkish row with an upper-level code was cleaned.
type Assignment struct {
	Index int    // position in the Turkish list
	Raw   string // the code as written there
	Code  string // the Eurostat code it was matched to
}

// Report lists what the cleaning did and what it left out.
type Report struct {
	Assigned   []Assignment
	Unmatched  []string // Turkish upper-level codes with no Eurostat counterpart
	Orphans    []string // national codes whose class is not in NACE Rev. 2
	Repealed   []string // national codes marked repealed (Mülga)
	MissingTR  []string // Eurostat codes left without a Turkish name
	Duplicates []string // national codes listed more than once (last one kept)
}

// ReadEurostat parses the Eurostat NACE Rev. 2 CSV (semicolon-separated,
// quoted, with multi-line notes) into rows in classification order.
func ReadEurostat(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("eurostat csv: %w", err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("eurostat csv: no rows")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, h := range []string{"Level", "Code", "Parent", "Description"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("eurostat csv: no column %q", h)
		}
	}
	rows := make([]Row, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		lvl, err := strconv.Atoi(rec[col["Level"]])
		if err != nil || lvl < 1 || lvl > 4 {
			return nil, fmt.Errorf("eurostat csv: row %d: bad level %q", i+2, rec[col["Level"]])
		}
		rows = append(rows, Row{
			Code:   strings.TrimSpace(rec[col["Code"]]),
			Level:  lvl,
			Parent: strings.TrimSpace(rec[col["Parent"]]),
			NameEN: cleanText(rec[col["Description"]]),
		})
	}
	return rows, nil
}

// trEntry is one entry of the Turkish hazard-class list.
type trEntry struct {
	NACE   string `json:"NACE"`
	Name   string `json:"Tanım"`
	Hazard string `json:"Tehlike Sınıfı"`
}

// ReadTurkish parses the Turkish list (a JSON array of entries).
func ReadTurkish(r io.Reader) ([]trEntry, error) {
	var es []trEntry
	if err := json.NewDecoder(r).Decode(&es); err != nil {
		return nil, fmt.Errorf("turkish json: %w", err)
	}
	return es, nil
}

// amendmentRE matches the Official Gazette notes of the Turkish list, e.g.
// "(Ek satır:RG-5/3/2024-32480)" (added), "(Mülga:RG-...)" (repealed),
// "(Değişik satır:RG-...)" (changed).
func amendmentRE() *regexp.Regexp {
	return regexp.MustCompile(`\((Ek|Mülga|Değişik)( satır)?:\s*RG-[^)]*\)`)
}

// isDigits reports whether s is n ASCII digits.
func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNational reports whether s is a national code "dd.dd.dd".
func isNational(s string) bool {
	p := strings.Split(s, ".")
	return len(p) == 3 && isDigits(p[0], 2) && isDigits(p[1], 2) && isDigits(p[2], 2)
}

// isSection reports whether s is a section letter.
func isSection(s string) bool { return len(s) == 1 && s[0] >= 'A' && s[0] <= 'Z' }

// splitUpper splits an upper-level numeric code "d", "dd", "d.d", "dd.dd", ...
// into its integer and fraction parts; ok is false for anything else.
func splitUpper(s string) (ip, fp string, ok bool) {
	ip, fp, dot := strings.Cut(s, ".")
	if !(isDigits(ip, 1) || isDigits(ip, 2)) {
		return "", "", false
	}
	if dot && !(isDigits(fp, 1) || isDigits(fp, 2)) {
		return "", "", false
	}
	return ip, fp, true
}

// stripNotes removes amendment notes and reports whether one marked the row
// repealed.
func stripNotes(amendment *regexp.Regexp, s string) (string, bool) {
	repealed := false
	for _, m := range amendment.FindAllStringSubmatch(s, -1) {
		if m[1] == "Mülga" {
			repealed = true
		}
	}
	return cleanText(amendment.ReplaceAllString(s, " ")), repealed
}

// cleanText trims a label and collapses runs of white space.
func cleanText(s string) string { return strings.Join(strings.Fields(s), " ") }

// canonical writes a numeric code as the number a spreadsheet would show:
// leading zeros of the integer part and trailing zeros of the fraction dropped
// ("01.30" -> "1.3", "12.00" -> "12", "10.20" -> "10.2").
func canonical(code string) string {
	ip, fp, _ := strings.Cut(code, ".")
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	fp = strings.TrimRight(fp, "0")
	if fp == "" {
		return ip
	}
	return ip + "." + fp
}

// Candidates returns the Eurostat codes (numeric ones, sections excluded) that
// the mangled upper-level code raw can stand for, given codes in any order.
// Two manglings occur in the Turkish list: a code read as a decimal number
// ("01.11" -> "1.11", "10.20" -> "10.2", "12.00" -> "12"), and groups of the
// one-digit divisions written as "d.0g" ("01.1" -> "1.01", "08.9" -> "8.09").
func Candidates(raw string, codes []string) []string {
	ip, fp, ok := splitUpper(raw)
	if !ok {
		return nil
	}
	want := canonical(raw)
	group := ""
	if len(ip) == 1 && len(fp) == 2 && fp[0] == '0' {
		group = "0" + ip + "." + fp[1:]
	}
	var out []string
	for _, c := range codes {
		if isSection(c) {
			continue
		}
		if canonical(c) == want || c == group {
			out = append(out, c)
		}
	}
	return out
}

// Merge cleans the Turkish list against the Eurostat rows and fills NameTR.
//
// Both lists are in classification order (section, division, group, class,
// then the class's national codes), so each Turkish upper-level row is matched
// to the first Eurostat code after the previous match that it can stand for.
// Repeated rows such as "10.2", "10.2" thereby become the group 10.2 and the
// class 10.20, and "12", "12", "12" the division 12, group 12.0 and class 12.00.
// National codes are kept verbatim; amendment notes are stripped, repealed codes
// dropped, and a code listed twice keeps its last (amended) text.
func Merge(rows []Row, tr []trEntry) ([]Row, []National, Report, error) {
	var rep Report
	codes := make([]string, len(rows))
	index := make(map[string]int, len(rows))
	for i, r := range rows {
		codes[i] = r.Code
		index[r.Code] = i
	}
	amendment := amendmentRE()
	next := 0 // first Eurostat row not yet matched
	nat := map[string]int{}
	var nationals []National
	for i, e := range tr {
		raw, repealed := stripNotes(amendment, e.NACE)
		name, rep2 := stripNotes(amendment, e.Name)
		repealed = repealed || rep2
		switch {
		case isNational(raw):
			class := raw[:5]
			if repealed {
				rep.Repealed = append(rep.Repealed, raw)
				if j, ok := nat[raw]; ok {
					nationals[j].NameTR = ""
				}
				continue
			}
			if _, ok := index[class]; !ok {
				rep.Orphans = append(rep.Orphans, raw)
				continue
			}
			if j, ok := nat[raw]; ok {
				rep.Duplicates = append(rep.Duplicates, raw)
				nationals[j].NameTR = name
				continue
			}
			nat[raw] = len(nationals)
			nationals = append(nationals, National{Code: raw, Class: class, NameTR: name})
		case isSection(raw):
			j, ok := index[raw]
			if !ok {
				rep.Unmatched = append(rep.Unmatched, raw)
				continue
			}
			rows[j].NameTR = name
			rep.Assigned = append(rep.Assigned, Assignment{Index: i, Raw: raw, Code: raw})
			next = j + 1
		default:
			if _, _, ok := splitUpper(raw); !ok {
				continue // legend rows, footnotes and blank lines
			}
			cands := map[string]bool{}
			for _, c := range Candidates(raw, codes) {
				cands[c] = true
			}
			j := next
			for j < len(rows) && !cands[rows[j].Code] {
				j++
			}
			if j == len(rows) {
				rep.Unmatched = append(rep.Unmatched, raw)
				continue
			}
			rows[j].NameTR = name
			rep.Assigned = append(rep.Assigned, Assignment{Index: i, Raw: raw, Code: rows[j].Code})
			next = j + 1
		}
	}
	kept := nationals[:0]
	for _, n := range nationals {
		if n.NameTR != "" {
			kept = append(kept, n)
		}
	}
	for _, r := range rows {
		if r.NameTR == "" {
			rep.MissingTR = append(rep.MissingTR, r.Code)
		}
	}
	return rows, kept, rep, nil
}

// WriteTSV writes the merged table: one line per NACE item (levels 1-4) in
// classification order followed by its national codes (level 5, English name
// empty). Columns: code, level, parent, English name, Turkish name.
func WriteTSV(w io.Writer, rows []Row, nationals []National) error {
	byClass := map[string][]National{}
	for _, n := range nationals {
		byClass[n.Class] = append(byClass[n.Class], n)
	}
	if _, err := fmt.Fprint(w, "# NACE Rev. 2 (Eurostat, CC BY) with Turkish names and national codes. Generated by internal/gen; DO NOT EDIT.\n# code\tlevel\tparent\tname_en\tname_tr\n"); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", r.Code, r.Level, r.Parent, r.NameEN, r.NameTR); err != nil {
			return err
		}
		for _, n := range byClass[r.Code] {
			if _, err := fmt.Fprintf(w, "%s\t5\t%s\t\t%s\n", n.Code, n.Class, n.NameTR); err != nil {
				return err
			}
		}
	}
	return nil
}
