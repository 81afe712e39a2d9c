package main

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite ../../data/nace.tsv")

func load(t *testing.T) ([]Row, []National, Report) {
	t.Helper()
	rows, nat, rep, err := Load("testdata/nace-rev2-en.csv", "testdata/nace-rev2-tr.json")
	if err != nil {
		t.Fatal(err)
	}
	return rows, nat, rep
}

func TestCandidates(t *testing.T) {
	codes := []string{"A", "01", "01.1", "01.11", "01.3", "01.30", "08", "08.9", "08.91", "09.9", "09.90",
		"10", "10.1", "10.11", "10.2", "10.20", "11", "11.0", "11.01", "12", "12.0", "12.00", "62", "62.0", "62.01"}
	tests := []struct {
		raw  string
		want []string
	}{
		{"1", []string{"01"}},
		{"1.01", []string{"01.1"}},         // group of a one-digit division
		{"1.11", []string{"01.11"}},        // leading zero lost
		{"1.3", []string{"01.3", "01.30"}}, // group or class, trailing zero lost
		{"8.09", []string{"08.9"}},
		{"8.91", []string{"08.91"}},
		{"9.9", []string{"09.9", "09.90"}},
		{"10.2", []string{"10.2", "10.20"}},
		{"10.11", []string{"10.11"}},
		{"11", []string{"11", "11.0"}},
		{"11.01", []string{"11.01"}},
		{"12", []string{"12", "12.0", "12.00"}},
		{"62.01", []string{"62.01"}},
		{"62", []string{"62", "62.0"}},
		{"x", nil},
		{"xx.x", nil},
		{"", nil},
		{"01.11.07", nil},
	}
	for _, tt := range tests {
		if got := Candidates(tt.raw, codes); !slices.Equal(got, tt.want) {
			t.Errorf("Candidates(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// TestCleanedCodes checks specific mangled rows of the Turkish list against the
// codes they were matched to, by their position in the list.
func TestCleanedCodes(t *testing.T) {
	_, _, rep := load(t)
	got := map[int]string{}
	for _, a := range rep.Assigned {
		got[a.Index] = a.Raw + "->" + a.Code
	}
	want := map[int]string{
		0:    "A->A",
		1:    "1->01",
		2:    "1.01->01.1",
		3:    "1.11->01.11",
		28:   "1.02->01.2",
		50:   "1.03->01.3",
		51:   "1.3->01.30",
		77:   "1.05->01.5",
		78:   "1.5->01.50",
		106:  "2->02",
		107:  "2.01->02.1",
		108:  "2.1->02.10",
		189:  "8.09->08.9",
		190:  "8.91->08.91",
		214:  "9.09->09.9",
		215:  "9.9->09.90",
		220:  "10.1->10.1",
		233:  "10.2->10.2",
		234:  "10.2->10.20",
		346:  "11->11",
		347:  "11->11.0",
		348:  "11.01->11.01",
		368:  "12->12",
		369:  "12->12.0",
		370:  "12->12.00",
		373:  "13.1->13.1",
		374:  "13.1->13.10",
		2527: "62->62",
		2528: "62->62.0",
		2529: "62.01->62.01",
		3240: "99->99",
		3241: "99->99.0",
		3242: "99->99.00",
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("row %d: got %q, want %q", i, got[i], w)
		}
	}
}

// TestMergeComplete checks that every Eurostat item got a Turkish name, and
// documents what of the Turkish list is left out: section V and its national
// codes 66.13.xx, which are Turkish additions without a NACE Rev. 2 counterpart.
func TestMergeComplete(t *testing.T) {
	rows, nat, rep := load(t)
	count := map[int]int{}
	for _, r := range rows {
		count[r.Level]++
	}
	if count[1] != 21 || count[2] != 88 || count[3] != 272 || count[4] != 615 {
		t.Errorf("levels = %v, want 21/88/272/615", count)
	}
	if len(rep.MissingTR) != 0 {
		t.Errorf("Eurostat items without a Turkish name: %v", rep.MissingTR)
	}
	if !slices.Equal(rep.Unmatched, []string{"V"}) {
		t.Errorf("unmatched = %v, want [V]", rep.Unmatched)
	}
	if !slices.Equal(rep.Orphans, []string{"66.13.02", "66.13.03"}) {
		t.Errorf("orphans = %v", rep.Orphans)
	}
	if len(rep.Assigned) != len(rows) {
		t.Errorf("%d assignments for %d items", len(rep.Assigned), len(rows))
	}
	if len(nat) < 2200 {
		t.Errorf("only %d national codes", len(nat))
	}
	for _, n := range nat {
		if n.NameTR == "" || strings.Contains(n.NameTR, "RG-") {
			t.Errorf("national %s: bad name %q", n.Code, n.NameTR)
		}
	}
	for _, r := range rows {
		if strings.Contains(r.NameTR, "RG-") || strings.Contains(r.NameEN, "\t") {
			t.Errorf("%s: bad name %q", r.Code, r.NameTR)
		}
	}
}

// TestMergeConsistent checks that no Turkish row maps to a wrong code: matches
// follow the hierarchy (each item's parent was matched before it, with nothing
// of another branch in between), every match is a code the raw text can stand
// for, and the national codes in the body of the list follow their own class.
func TestMergeConsistent(t *testing.T) {
	rows, _, rep := load(t)
	parent := map[string]string{}
	var codes []string
	for _, r := range rows {
		parent[r.Code] = r.Parent
		codes = append(codes, r.Code)
	}
	seen := map[string]bool{}
	last := map[int]string{} // last matched code by level
	level := func(c string) int {
		switch {
		case isSection(c):
			return 1
		case len(c) == 2:
			return 2
		case len(c) == 4:
			return 3
		}
		return 4
	}
	for _, a := range rep.Assigned {
		if seen[a.Code] {
			t.Errorf("%s matched twice", a.Code)
		}
		seen[a.Code] = true
		if !isSection(a.Raw) && !slices.Contains(Candidates(a.Raw, codes), a.Code) {
			t.Errorf("row %d: %q cannot stand for %s", a.Index, a.Raw, a.Code)
		}
		l := level(a.Code)
		if l > 1 && last[l-1] != parent[a.Code] {
			t.Errorf("row %d: %s matched under %s, want parent %s", a.Index, a.Code, last[l-1], parent[a.Code])
		}
		last[l] = a.Code
	}
	f, err := os.Open("testdata/nace-rev2-tr.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ReadTurkish(f)
	if err != nil {
		t.Fatal(err)
	}
	at := map[int]string{}
	for _, a := range rep.Assigned {
		at[a.Index] = a.Code
	}
	cur := ""
	for i, e := range tr {
		if c, ok := at[i]; ok {
			cur = c
			continue
		}
		if e.NACE == "x" {
			break // the legend; amendments follow it
		}
		raw, _ := stripNotes(amendmentRE(), e.NACE)
		if isNational(raw) && raw[:5] != cur && !strings.HasPrefix(raw, "66.13") {
			t.Errorf("row %d: national code %s follows %s", i, raw, cur)
		}
	}
}

func TestGolden(t *testing.T) {
	rows, nat, _ := load(t)
	var b bytes.Buffer
	if err := WriteTSV(&b, rows, nat); err != nil {
		t.Fatal(err)
	}
	const path = "../../data/nace.tsv"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, b.Bytes()) {
		t.Errorf("%s is stale: run go generate ./nace (or go test -update)", path)
	}
}

func TestStripNotes(t *testing.T) {
	re := amendmentRE()
	tests := []struct {
		in, want string
		repealed bool
	}{
		{"23.32.02 (Ek:RG-18/3/2022-31782)", "23.32.02", false},
		{"(Değişik satır:RG-8/3/2020-31062) 10.89.01", "10.89.01", false},
		{"45.32.02 (Mülga:RG-18/3/2022-31782)", "45.32.02", true},
		{"(Mülga satır:RG-12/3/2019-30712)", "", true},
		{"(Ek satır:RG-12/3/2019-30712) (Değişik satır:RG-11/8/2023-32276) Tezgahlar  ve", "Tezgahlar ve", false},
		{"Plain (text)", "Plain (text)", false},
	}
	for _, tt := range tests {
		got, rep := stripNotes(re, tt.in)
		if got != tt.want || rep != tt.repealed {
			t.Errorf("stripNotes(%q) = %q, %v; want %q, %v", tt.in, got, rep, tt.want, tt.repealed)
		}
	}
}
