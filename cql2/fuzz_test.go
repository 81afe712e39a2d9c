package cql2

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// fuzzFeatures are evaluated by every filter the fuzzers compile.
func fuzzFeatures() []Feature {
	return []Feature{
		mapFeature{props: map[string]any{"name": "Ödemiş", "n": int64(3), "x": 0.5, "ok": false,
			"day": "2020-01-01", "at": "2020-01-01T00:00:00Z"}, geom: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		mapFeature{props: map[string]any{}},
	}
}

// fuzzCheck requires a parse to fail with an *Error, or to give a tree that
// compiles (or fails with an *Error) and evaluates without panicking.
func fuzzCheck(t *testing.T, e Expr, err error) {
	var pe *Error
	if err != nil {
		if !errors.As(err, &pe) {
			t.Fatalf("error %v (%T) is not a *cql2.Error", err, err)
		}
		return
	}
	if e == nil {
		t.Fatal("nil tree without error")
	}
	_ = e.String()
	flt, err := Compile(e, testQueryables())
	if err != nil {
		if !errors.As(err, &pe) {
			t.Fatalf("compile error %v (%T) is not a *cql2.Error", err, err)
		}
		return
	}
	for _, f := range fuzzFeatures() {
		flt.Match(f)
	}
	flt.Bound()
}

// seedTexts returns the standard's text examples and test predicates.
func seedTexts(f *testing.F) []string {
	var out []string
	paths, _ := filepath.Glob("testdata/examples/text/*.txt")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, string(b))
	}
	ats, err := os.Open("testdata/ats/ats.tsv")
	if err != nil {
		f.Fatal(err)
	}
	defer ats.Close()
	sc := bufio.NewScanner(ats)
	for sc.Scan() {
		if cols := strings.Split(sc.Text(), "\t"); len(cols) == 4 {
			out = append(out, cols[3])
		}
	}
	return append(out, `name LIKE 'a\%' AND n IN (1,2) OR NOT x BETWEEN -1 AND 1e3`,
		`S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(0 0), MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))))`,
		`CASEI(name) LIKE CASEI('ö%')`, `day > DATE('2019-12-31') AND at < TIMESTAMP('2021-01-01T00:00:00Z')`)
}

// FuzzParseText feeds arbitrary text to the text parser and compiles and
// evaluates what it accepts.
func FuzzParseText(f *testing.F) {
	for _, s := range seedTexts(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseText(src)
		fuzzCheck(t, e, err)
	})
}

// FuzzParseJSON feeds arbitrary bytes to the JSON parser and compiles and
// evaluates what it accepts.
func FuzzParseJSON(f *testing.F) {
	paths, _ := filepath.Glob("testdata/examples/json/*.json")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"op":"and","args":[{"op":"=","args":[{"property":"n"},3]},{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[0,0,1,1]}]}]}`))
	f.Add([]byte(`{"op":"in","args":[{"property":"name"},["a","b"]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseJSON(data)
		fuzzCheck(t, e, err)
	})
}
