package cql2

import (
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// mapFeature is a feature given as a map and a geometry.
type mapFeature struct {
	props map[string]any
	geom  orb.Geometry
}

func (m mapFeature) Property(name string) any { return m.props[name] }
func (m mapFeature) Geometry() orb.Geometry   { return m.geom }

func testQueryables() Queryables {
	return Queryables{"name": TypeString, "n": TypeInteger, "x": TypeNumber, "ok": TypeBoolean,
		"day": TypeDate, "at": TypeTimestamp, "geometry": TypeGeometry, "raw": TypeAny}
}

func mustCompile(t *testing.T, src string) *Filter {
	t.Helper()
	e, err := ParseText(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	f, err := Compile(e, testQueryables())
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return f
}

// TestEvaluate checks predicates on features whose values are given in the
// Go types the HTTP layer hands over (int64, *float64, typed nil pointers,
// dates as strings), null handling included.
func TestEvaluate(t *testing.T) {
	lq := 1.5
	var nilLQ *float64
	full := mapFeature{props: map[string]any{"name": "Ödemiş Tekstil A.Ş.", "n": int64(42), "x": &lq, "ok": true,
		"day": "2019-03-01", "at": "2024-05-01T10:00:00Z", "raw": 7}, geom: orb.Point{27.97, 38.23}}
	empty := mapFeature{props: map[string]any{"name": nil, "n": nil, "x": nilLQ, "ok": nil, "day": nil}}
	for _, tc := range []struct {
		filter      string
		full, empty bool
	}{
		{`n = 42`, true, false},
		{`n <> 42`, false, false},
		{`NOT n <> 42`, true, false},
		{`NOT (n = 1)`, true, false},
		{`n > 41.5 AND x < 2`, true, false},
		{`x = 1.5`, true, false},
		{`x IS NULL`, false, true},
		{`x IS NOT NULL`, true, false},
		{`name IS NULL AND n IS NULL`, false, true},
		{`n = 42 OR x IS NULL`, true, true},
		{`n = 1 OR n IS NULL`, false, true},
		{`NOT (n = 1 AND n = 2)`, true, false},
		{`name = 'Ödemiş Tekstil A.Ş.'`, true, false},
		{`name = 'ödemiş tekstil a.ş.'`, false, false},
		{`CASEI(name) = CASEI('ÖDEMİŞ TEKSTİL A.Ş.')`, true, false},  // İ folds to i
		{`CASEI(name) = CASEI('ODEMIS TEKSTIL A.S.')`, false, false}, // accents are kept
		{`CASEI(name) = casei('ödemiş tekstil a.ş.')`, true, false},
		{`name LIKE 'Ödemiş%'`, true, false},
		{`name LIKE '%A._.'`, true, false},
		{`name LIKE '_demi_ %'`, true, false},
		{`name LIKE 'ödemiş%'`, false, false},
		{`CASEI(name) LIKE CASEI('ÖDEMIŞ%')`, true, false},
		{`name NOT LIKE '%x%'`, true, false},
		{`n BETWEEN 40 AND 42`, true, false},
		{`n BETWEEN 43 AND 50`, false, false},
		{`n NOT BETWEEN 43 AND 50`, true, false},
		{`n IN (1, 42)`, true, false},
		{`n NOT IN (1, 2)`, true, false},
		{`name IN ('a', 'Ödemiş Tekstil A.Ş.')`, true, false},
		{`ok = true`, true, false},
		{`ok <> false`, true, false},
		{`ok > false`, true, false},
		{`day = DATE('2019-03-01')`, true, false},
		{`day < DATE('2019-03-02') AND day > DATE('2019-02-28')`, true, false},
		{`day = '2019-03-01'`, true, false}, // a date in a character literal is read as a date
		{`'2019-02-28' < day`, true, false},
		{`day IN ('2019-03-01', DATE('2020-01-01'))`, true, false},
		{`day >= '2019-03-01T' AND day < '2019-03-02T00:00:00Z'`, true, false}, // as GDAL writes dates
		{`at > '2024-05-01T' AND at < '2024-05-01T10:30Z' AND at > '2024-05-01T09Z'`, true, false},
		{`at = '2024-05-01T10:00:00Z' AND at > '2024-05-01T09:59:59'`, true, false},
		{`at >= TIMESTAMP('2024-05-01T10:00:00Z')`, true, false},
		{`at < TIMESTAMP('2024-05-01T11:00:00+02:00')`, false, false},
		{`raw = 7`, true, false},
		{`raw = 'x'`, false, false},
		{`n = raw`, false, false},
		{`42 = n`, true, false},
		{`'a' = 'a'`, true, true},
		{`x BETWEEN 1 AND n`, true, false},
		{`TRUE`, true, true},
		{`FALSE OR NOT TRUE`, false, false},
		{`S_INTERSECTS(geometry, BBOX(27, 38, 28, 39))`, true, false},
		{`S_INTERSECTS(BBOX(27, 38, 28, 39), geometry)`, true, false},
		{`S_INTERSECTS(geometry, POINT(27.97 38.23))`, true, false},
		{`S_INTERSECTS(geometry, POLYGON((27 38, 28 38, 28 39, 27 39, 27 38), (27.9 38.2, 28 38.2, 28 38.3, 27.9 38.3, 27.9 38.2)))`, false, false},
		{`NOT S_INTERSECTS(geometry, POINT(0 0))`, true, false},
		{`geometry IS NULL`, false, true},
	} {
		f := mustCompile(t, tc.filter)
		if got := f.Match(full); got != tc.full {
			t.Errorf("%s on the full feature: %v, want %v", tc.filter, got, tc.full)
		}
		if got := f.Match(empty); got != tc.empty {
			t.Errorf("%s on the empty feature: %v, want %v", tc.filter, got, tc.empty)
		}
	}
}

// TestLike checks the LIKE wildcards and escapes.
func TestLike(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true}, {"%", "", true}, {"_", "", false}, {"a%", "abc", true}, {"%c", "abc", true},
		{"a_c", "abc", true}, {"a_c", "ac", false}, {"%b%", "abc", true}, {"%%%", "x", true},
		{`100\%`, "100%", true}, {`100\%`, "1000", false}, {`a\_b`, "a_b", true}, {`a\_b`, "axb", false},
		{`a\\b`, `a\b`, true}, {`a\`, `a\`, true}, {"%a%a%a%a%b", strings.Repeat("a", 200), false},
		{"ş_r%", "şırnak", true}, {"%İ", "Dİ", true}, {"a%b%c", "aXXbYYc", true}, {"a%b%c", "aXXcYYb", false},
	} {
		if got := likeMatch(compileLike(tc.pattern), tc.s); got != tc.want {
			t.Errorf("%q LIKE %q = %v, want %v", tc.s, tc.pattern, got, tc.want)
		}
	}
}

// TestCompileErrors checks that what Compile does not offer, and what the
// queryables do not allow, is rejected with a message naming it.
func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ filter, want string }{
		{`nope = 1`, `unknown property "nope"; the queryables are at, day, geometry, n, name, ok, raw, x`},
		{`name = 1`, "cannot compare property name (string) with a number (number)"},
		{`n = 'x'`, "cannot compare property n (integer) with a character literal (string)"},
		{`day = 'yesterday'`, "cannot compare property day (date) with a character literal (string)"},
		{`day = '2019-03-01T10:00:00Z'`, "cannot compare property day (date) with a character literal (string)"},
		{`at < 'noon'`, "cannot compare property at (timestamp) with a character literal (string)"},
		{`day = TIMESTAMP('2019-01-01T00:00:00Z')`, "(date) with a timestamp (timestamp)"},
		{`n LIKE 'x%'`, "LIKE needs a string, not property n (integer)"},
		{`name BETWEEN 'a' AND 'b'`, "BETWEEN compares numbers"},
		{`geometry = 1`, "property geometry is a geometry"},
		{`S_INTERSECTS(name, POINT(1 2))`, "S_INTERSECTS needs geometries; property name is a string"},
		{`S_WITHIN(geometry, POINT(1 2))`, "S_WITHIN is not supported"},
		{`S_CONTAINS(geometry, BBOX(0,0,1,1))`, "S_CONTAINS is not supported"},
		{`T_AFTER(day, DATE('2020-01-01'))`, "T_AFTER is not supported"},
		{`A_CONTAINS(name, ('a'))`, "A_CONTAINS is not supported"},
		{`ACCENTI(name) = ACCENTI('a')`, "ACCENTI is not supported"},
		{`avg(x) > 1`, "the function avg is not supported"},
		{`Foo(geometry)`, "the function Foo is not supported"},
		{`x + 1 > 2`, "arithmetic (+) is not supported"},
		{`CASEI(n) = CASEI('1')`, "CASEI takes a string"},
		{`n IN (1, 'a')`, "IN: cannot compare property n (integer) with a character literal"},
	} {
		e, err := ParseText(tc.filter)
		if err != nil {
			t.Errorf("%s: parse: %v", tc.filter, err)
			continue
		}
		_, err = Compile(e, testQueryables())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.filter, err, tc.want)
		}
	}
}

// TestBound checks the box a filter implies for the store to narrow its scan.
func TestBound(t *testing.T) {
	box := func(w, s, e, n float64) orb.Bound { return orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}} }
	for _, tc := range []struct {
		filter string
		want   orb.Bound
		ok     bool
	}{
		{`S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))`, box(1, 2, 3, 4), true},
		{`S_INTERSECTS(POINT(1 2), geometry)`, box(1, 2, 1, 2), true},
		{`S_INTERSECTS(geometry, BBOX(1, 2, 3, 4)) AND n = 1`, box(1, 2, 3, 4), true},
		{`S_INTERSECTS(geometry, BBOX(0, 0, 3, 4)) AND S_INTERSECTS(geometry, BBOX(1, 2, 5, 5))`, box(1, 2, 3, 4), true},
		{`S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) OR S_INTERSECTS(geometry, LINESTRING(2 2, 3 4))`, box(0, 0, 3, 4), true},
		{`S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) OR n = 1`, orb.Bound{}, false},
		{`NOT S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))`, orb.Bound{}, false},
		{`S_INTERSECTS(geometry, BBOX(170, 0, -170, 1))`, orb.Bound{}, false},
		{`n = 1`, orb.Bound{}, false},
	} {
		b, ok := mustCompile(t, tc.filter).Bound()
		if ok != tc.ok || ok && b != tc.want {
			t.Errorf("%s: bound %v %v, want %v %v", tc.filter, b, ok, tc.want, tc.ok)
		}
	}
}

// TestTimestampProperty checks the forms a timestamp property may come in.
func TestTimestampProperty(t *testing.T) {
	f := mustCompile(t, `at = TIMESTAMP('2022-04-16T10:13:19Z')`)
	for _, v := range []any{"2022-04-16T10:13:19Z", "2022-04-16T10:13:19", "2022-04-16T12:13:19+02:00",
		time.Date(2022, 4, 16, 10, 13, 19, 0, time.UTC)} {
		if !f.Match(mapFeature{props: map[string]any{"at": v}}) {
			t.Errorf("%v does not match", v)
		}
	}
	if f.Match(mapFeature{props: map[string]any{"at": "yesterday"}}) {
		t.Error("an unreadable timestamp matched")
	}
}

// TestDraftText checks the text of the Part 3 drafts GDAL writes: ILIKE is
// CASEI on both sides of LIKE there, and an error in CQL2 text.
func TestDraftText(t *testing.T) {
	e, err := ParseDraftText(`(name ILIKE 'ödemiş%') AND NOT (name NOT ILIKE '%A.Ş.')`)
	if err != nil {
		t.Fatal(err)
	}
	want := `(and (like (casei (property "name")) (casei "ödemiş%")) (not (not (like (casei (property "name")) (casei "%A.Ş.")))))`
	if e.String() != want {
		t.Errorf("tree %s, want %s", e, want)
	}
	f, err := Compile(e, testQueryables())
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(mapFeature{props: map[string]any{"name": "Ödemiş Tekstil A.Ş."}}) {
		t.Error("ILIKE did not match")
	}
	if _, err := ParseText(`name ILIKE 'x'`); err == nil || !strings.Contains(err.Error(), "ILIKE is not CQL2") {
		t.Errorf("ILIKE in CQL2 text: %v", err)
	}
}
