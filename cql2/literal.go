package cql2

import (
	"math"
	"time"

	"github.com/paulmach/orb"
)

// dateLayout is the RFC 3339 full-date.
const dateLayout = "2006-01-02"

// instant parses the string of DATE(...) (date true) or TIMESTAMP(...).
func instant(s string, date bool) (Expr, *Error) {
	if date {
		if _, err := time.Parse(dateLayout, s); err != nil {
			return nil, errorf("%q is not a date (YYYY-MM-DD)", s)
		}
		return &Date{Value: s}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, errorf("%q is not a timestamp (RFC 3339, e.g. 2024-05-01T10:00:00Z)", s)
	}
	return &Timestamp{Value: t.UTC()}, nil
}

// instantAuto parses an instant string of an interval: a date or a timestamp.
func instantAuto(s string) (Expr, *Error) {
	if len(s) == len(dateLayout) {
		return instant(s, true)
	}
	return instant(s, false)
}

// finite reports whether every value is a finite number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// bboxOf builds a BBox from 4 numbers (west, south, east, north) or 6
// (west, south, min elevation, east, north, max elevation).
func bboxOf(n []float64) (*BBox, *Error) {
	var b BBox
	switch len(n) {
	case 4:
		b = BBox{West: n[0], South: n[1], East: n[2], North: n[3]}
	case 6:
		b = BBox{West: n[0], South: n[1], East: n[3], North: n[4]}
		if n[2] > n[5] {
			return nil, errorf("bounding box: minimum elevation above maximum")
		}
	default:
		return nil, errorf("a bounding box has 4 or 6 numbers, not %d", len(n))
	}
	if !finite(n...) {
		return nil, errorf("bounding box: numbers must be finite")
	}
	if b.South > b.North {
		return nil, errorf("bounding box: south %v is north of north %v", b.South, b.North)
	}
	return &b, nil
}

// checkRing reports an error unless r is a closed ring of at least 4 points.
func checkRing(r orb.Ring) *Error {
	if len(r) < 4 {
		return errorf("a polygon ring needs at least 4 positions, not %d", len(r))
	}
	if r[0] != r[len(r)-1] {
		return errorf("a polygon ring must end where it starts")
	}
	return nil
}

// checkLine reports an error unless l has at least 2 points.
func checkLine(l orb.LineString) *Error {
	if len(l) < 2 {
		return errorf("a line string needs at least 2 positions, not %d", len(l))
	}
	return nil
}
