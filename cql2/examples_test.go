package cql2

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamples parses every example expression of the standard in its text
// encoding (and the text variants) and in its JSON encoding, and requires
// the same tree from both.
func TestExamples(t *testing.T) {
	texts, err := filepath.Glob("testdata/examples/text/*.txt")
	if err != nil || len(texts) < 100 {
		t.Fatalf("%d text examples (%v)", len(texts), err)
	}
	for _, path := range texts {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			js, err := os.ReadFile(filepath.Join("testdata/examples/json", strings.TrimSuffix(name, "-alt01")+".json"))
			if err != nil {
				t.Fatal(err)
			}
			te, err := ParseText(string(src))
			if err != nil {
				t.Fatalf("text %q: %v", src, err)
			}
			je, err := ParseJSON(js)
			if err != nil {
				t.Fatalf("json %s: %v", js, err)
			}
			if te.String() != je.String() {
				t.Errorf("text and JSON differ:\ntext %s\n  -> %s\njson -> %s", src, te, je)
			}
		})
	}
}

// TestParseTrees checks the trees of expressions whose shape matters:
// precedence, negated predicates, escapes, literals.
func TestParseTrees(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`a = 1 OR b = 2 AND c = 3`, `(or (= (property "a") 1) (and (= (property "b") 2) (= (property "c") 3)))`},
		{`NOT a = 1 AND b = 2`, `(and (not (= (property "a") 1)) (= (property "b") 2))`},
		{`(a = 1 OR b = 2) AND c = 3`, `(and (or (= (property "a") 1) (= (property "b") 2)) (= (property "c") 3))`},
		{`a=1 and (b=2 and c=3)`, `(and (= (property "a") 1) (= (property "b") 2) (= (property "c") 3))`},
		{`x NOT LIKE 'a\%b'`, `(not (like (property "x") "a\\%b"))`},
		{`x IS NOT NULL`, `(not (isNull (property "x")))`},
		{`x NOT BETWEEN -1 AND 2e3`, `(not (between (property "x") -1 2000))`},
		{`x not in ('a','b')`, `(not (in (property "x") ["a" "b"]))`},
		{`name = 'Via dell''Avvento'`, `(= (property "name") "Via dell'Avvento")`},
		{`name = 'it\'s\tok'`, `(= (property "name") "it's\tok")`},
		{`"and" = true`, `(= (property "and") true)`},
		{`eo:cloud_cover <= .5`, `(<= (property "eo:cloud_cover") 0.5)`},
		{`İl = 'Şırnak'`, `(= (property "İl") "Şırnak")`},
		{`d > date('2020-02-29')`, `(> (property "d") (date "2020-02-29"))`},
		{`t < TIMESTAMP('2020-01-01T01:00:00+01:00')`, `(< (property "t") (timestamp "2020-01-01T00:00:00Z"))`},
		{`S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))`, `(s_intersects (property "geometry") (bbox 170 -10 -170 10))`},
		{`s_intersects(geometry, multipoint(1 2, 3 4))`, `(s_intersects (property "geometry") MULTIPOINT((1 2),(3 4)))`},
		{`S_INTERSECTS(geometry,POINT Z(1 2 3))`, `(s_intersects (property "geometry") POINT(1 2))`},
		{`a - -1 > 0`, `(> (- (property "a") -1) 0)`},
		{`TRUE`, `true`},
	} {
		e, err := ParseText(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if e.String() != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, e, tc.want)
		}
	}
}

// TestParseErrors checks that malformed expressions are rejected with a
// message that says what is wrong, and where.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, "empty filter"},
		{`a =`, "at character 4: unexpected end of filter"},
		{`a = 1 b = 2`, "at character 7: unexpected 'b'"},
		{`a = 'x`, "unterminated character literal"},
		{`a == 1`, "unexpected '='"},
		{`a != 1`, "unexpected character '!'"},
		{`a = 1 AND`, "unexpected end of filter"},
		{`a NOT = 1`, "expected LIKE, BETWEEN or IN after NOT"},
		{`a BETWEEN 1 OR 2`, "expected AND"},
		{`a IN ()`, "unexpected ')'"},
		{`a`, "expected a predicate, found property a"},
		{`a = (b = 1)`, "must be values, not a comparison"},
		{`a LIKE b`, "the pattern of LIKE must be a character literal"},
		{`date = 1`, "expected '('"},
		{`and = 1`, "unexpected keyword and"},
		{`d = DATE('2021-02-29')`, `"2021-02-29" is not a date`},
		{`S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0.5)))`, "must end where it starts"},
		{`S_INTERSECTS(geometry, LINESTRING(0 0))`, "at least 2 positions"},
		{`S_INTERSECTS(geometry, BBOX(0, 10, 1, 5))`, "is north of north"},
		{`S_INTERSECTS(geometry, BBOX(0, 1, 2))`, "4 or 6 numbers"},
		{`S_INTERSECTS(geometry)`, "takes 2 arguments"},
		{`S_INTERSECTS(geometry, 'x')`, "cannot take a character literal"},
		{`a = 1e999`, "out of range"},
		{`a = 12abc`, "after a number"},
		{strings.Repeat("(", 300) + "a=1" + strings.Repeat(")", 300), "nested more than"},
		{strings.Repeat("NOT ", 300) + "a=1", "nested more than"},
		{"a = '\xff'", "invalid UTF-8"},
	} {
		_, err := ParseText(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

// TestParseJSONErrors checks the JSON encoding's errors, located by path.
func TestParseJSONErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"op":"=","args":[{"property":"a"}]}`, "= takes 2 argument(s), not 1"},
		{`{"op":"and","args":[true]}`, "and takes two or more arguments"},
		{`{"op":"=","args":[{"property":"a"},null]}`, "at $.args[1]: null is not a CQL2 value"},
		{`{"op":"in","args":[{"property":"a"},"x"]}`, "the list of in is an array"},
		{`{"op":"=","args":[{"property":"a"},1],"x":1}`, `unexpected member "x"`},
		{`{"op":"s_intersects","args":[{"property":"g"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}]}`, "at least 4 positions"},
		{`{"op":"s_intersects","args":[{"property":"g"},{"type":"Circle","coordinates":[0,0]}]}`, `unknown GeoJSON geometry type "Circle"`},
		{`{"op":"=","args":[{"property":"d"},{"date":"2020-13-01"}]}`, "is not a date"},
		{`{"op":"=","args":[{"property":"a"},1]} {}`, "data after the expression"},
		{`"a"`, "an object or a boolean"},
		{`{"op":"=","args":[{"property":"a"},1e999]}`, "out of range"},
		{`{"op":"like","args":[{"property":"a"},{"property":"b"}]}`, "the pattern of LIKE must be a character literal"},
		{`{"foo":1}`, `an object needs "op"`},
	} {
		_, err := ParseJSON([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

// TestGDALNesting parses the left-deep chains GDAL writes for a long -where
// (every AND in parentheses) and flattens them.
func TestGDALNesting(t *testing.T) {
	src := "(a = 0)"
	for i := 1; i < 150; i++ {
		src = "(" + src + fmt.Sprintf(") AND (a <> %d)", i)
	}
	e, err := ParseDraftText(src)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := e.(*Logical); !ok || len(l.Args) != 150 {
		t.Errorf("not one AND of 150 conditions: %.200s", e)
	}
}
