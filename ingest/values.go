package ingest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// missing reports whether a value stands for "no value": empty, NULL, null or \N.
func missing(s string) bool {
	switch s {
	case "", "NULL", "null", "Null", `\N`, "NA", "N/A":
		return true
	}
	return false
}

// parseNumber reads a finite decimal number, accepting a decimal comma ("52,52").
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, ',') >= 0 {
		if strings.IndexByte(s, '.') >= 0 || strings.Count(s, ",") > 1 {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}

// parseDate reads 2006-01-02, 2006-01-02T15:04:05Z07:00, 02.01.2006, 2006-01 or
// a bare year 2006 (taken as 1 January) as a UTC date.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := parseISODate(s); ok {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02 15:04:05", "02.01.2006", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1000 || t.Year() > 3000 {
				return time.Time{}, fmt.Errorf("year of %q out of range", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read date %q (want YYYY-MM-DD, DD.MM.YYYY or YYYY)", s)
}

// parseISODate reads a valid YYYY-MM-DD date with a year from 1000 to 3000,
// the common case, without time.Parse; anything else is left to parseDate.
func parseISODate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, false
			}
			n = n*10 + int(p[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || y < 1000 || y > 3000 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // past the end of the month: time.Parse explains it
		return time.Time{}, false
	}
	return t, true
}

// wktPoint is a point read from WKT or EWKT.
type wktPoint struct {
	x, y  float64
	srid  int // 0 when not given
	empty bool
}

// parseWKTPoint reads "POINT(x y)", "POINT Z (x y z)", "POINT EMPTY" and the
// EWKT form "SRID=2154;POINT(x y)". Other geometry types are an error naming
// the type, since an establishment is a point.
func parseWKTPoint(s string) (wktPoint, error) {
	var p wktPoint
	s = strings.TrimSpace(s)
	if head, rest, ok := strings.Cut(s, ";"); ok && len(head) > 5 && strings.EqualFold(head[:5], "SRID=") {
		srid, err := strconv.Atoi(strings.TrimSpace(head[5:]))
		if err != nil || srid <= 0 {
			return p, fmt.Errorf("bad SRID in %q", head)
		}
		p.srid, s = srid, strings.TrimSpace(rest)
	}
	i := strings.IndexAny(s, "( ")
	kw := s
	if i >= 0 {
		kw = s[:i]
	}
	if !strings.EqualFold(kw, "POINT") {
		if kw == "" {
			return p, errors.New("not WKT")
		}
		if len(kw) > 20 {
			kw = kw[:20]
		}
		return p, fmt.Errorf("geometry must be a POINT, got %s", strings.ToUpper(kw))
	}
	rest := strings.TrimSpace(s[len(kw):])
	for _, dim := range []string{"ZM", "Z", "M"} {
		if len(rest) > len(dim) && strings.EqualFold(rest[:len(dim)], dim) && (rest[len(dim)] == ' ' || rest[len(dim)] == '(') {
			rest = strings.TrimSpace(rest[len(dim):])
			break
		}
	}
	if strings.EqualFold(rest, "EMPTY") {
		p.empty = true
		return p, nil
	}
	if len(rest) < 2 || rest[0] != '(' || rest[len(rest)-1] != ')' {
		return p, errors.New("malformed POINT")
	}
	nums := strings.Fields(rest[1 : len(rest)-1])
	if len(nums) < 2 || len(nums) > 4 {
		return p, errors.New("a POINT needs 2 to 4 coordinates")
	}
	var err error
	if p.x, err = parseNumber(nums[0]); err != nil {
		return p, err
	}
	if p.y, err = parseNumber(nums[1]); err != nil {
		return p, err
	}
	return p, nil
}
