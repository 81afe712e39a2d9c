// Package cql2 parses and evaluates filter expressions in the OGC Common Query
// Language (CQL2, OGC 21-065r2), as the filter parameter of OGC API – Features
// Part 3 (OGC 19-079r2) carries them.
//
// ParseText reads the text encoding and ParseJSON the JSON encoding; both give
// the same tree (Expr) for the same expression, and both accept the whole
// grammar of the standard. Compile then checks a tree against the properties a
// collection offers (its queryables) and against the part of the language
// this package evaluates: Basic CQL2, Advanced Comparison Operators (LIKE,
// BETWEEN, IN), Case-insensitive Comparison (CASEI), Property-Property
// Comparisons, and S_INTERSECTS with every spatial literal (Basic Spatial
// Functions, plus). Anything else is rejected with an error that names the
// construct. The package is pure: no I/O, no global state.
package cql2

import (
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// Expr is a node of a parsed CQL2 expression. String returns a canonical
// S-expression of the node; two trees are the same expression exactly when
// their strings are equal.
type Expr interface {
	String() string
	node()
}

// Logical is AND or OR over two or more expressions (Op "and" or "or").
// Nested operations of the same kind are flattened.
type Logical struct {
	Op   string
	Args []Expr
}

// Not negates an expression.
type Not struct{ Arg Expr }

// Comparison is a binary comparison: Op is one of =, <>, <, <=, >, >=.
type Comparison struct {
	Op          string
	Left, Right Expr
}

// Like matches Value against a pattern (% any characters, _ one character,
// backslash escapes).
type Like struct{ Value, Pattern Expr }

// Between tests Low <= Value <= High.
type Between struct{ Value, Low, High Expr }

// In tests whether Value equals any item of List.
type In struct {
	Value Expr
	List  []Expr
}

// IsNull tests whether Arg is null.
type IsNull struct{ Arg Expr }

// Call kinds.
const (
	CallFunction = "function" // CASEI, ACCENTI or a custom function
	CallSpatial  = "spatial"  // S_INTERSECTS, S_EQUALS, ...
	CallTemporal = "temporal" // T_AFTER, T_BEFORE, ...
	CallArray    = "array"    // A_EQUALS, A_CONTAINS, ...
)

// Call is a function call or a standardized predicate function. Op is the
// JSON encoding's name ("s_intersects", "t_finishedBy", "casei"); a custom
// function keeps the name it was written with.
type Call struct {
	Kind string
	Op   string
	Args []Expr
}

// Arithmetic is a binary arithmetic operation: Op is one of + - * / % div ^.
type Arithmetic struct {
	Op          string
	Left, Right Expr
}

// Property refers to a property (a queryable) by name.
type Property struct{ Name string }

// Text is a character string literal.
type Text struct{ Value string }

// Number is a numeric literal.
type Number struct{ Value float64 }

// Bool is TRUE or FALSE.
type Bool struct{ Value bool }

// Date is a calendar date literal, DATE('2024-05-01'); Value is its
// RFC 3339 full-date form.
type Date struct{ Value string }

// Timestamp is an instant in UTC, TIMESTAMP('2024-05-01T10:00:00Z').
type Timestamp struct{ Value time.Time }

// Unbounded is the open end '..' of an interval.
type Unbounded struct{}

// Interval is a time interval; each end is a Date, a Timestamp, Unbounded,
// a Property or a Call.
type Interval struct{ Start, End Expr }

// Geometry is a geometry literal in WGS84 longitude/latitude (any third
// coordinate is dropped): orb.Point, orb.LineString, orb.Polygon,
// orb.MultiPoint, orb.MultiLineString, orb.MultiPolygon or orb.Collection.
type Geometry struct{ Geom orb.Geometry }

// BBox is a bounding box literal, BBOX(west, south, east, north). West may be
// greater than east: the box then crosses the antimeridian.
type BBox struct{ West, South, East, North float64 }

// Array is an array literal, ('a', 'b') in text or [...] in JSON.
type Array struct{ Items []Expr }

func (*Logical) node()    {}
func (*Not) node()        {}
func (*Comparison) node() {}
func (*Like) node()       {}
func (*Between) node()    {}
func (*In) node()         {}
func (*IsNull) node()     {}
func (*Call) node()       {}
func (*Arithmetic) node() {}
func (*Property) node()   {}
func (*Text) node()       {}
func (*Number) node()     {}
func (*Bool) node()       {}
func (*Date) node()       {}
func (*Timestamp) node()  {}
func (*Unbounded) node()  {}
func (*Interval) node()   {}
func (*Geometry) node()   {}
func (*BBox) node()       {}
func (*Array) node()      {}

// list renders "(head a b c)".
func list(head string, args ...Expr) string {
	var b strings.Builder
	b.WriteString("(")
	b.WriteString(head)
	for _, a := range args {
		b.WriteString(" ")
		b.WriteString(a.String())
	}
	b.WriteString(")")
	return b.String()
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// String implements Expr.
func (e *Logical) String() string { return list(e.Op, e.Args...) }

// String implements Expr.
func (e *Not) String() string { return list("not", e.Arg) }

// String implements Expr.
func (e *Comparison) String() string { return list(e.Op, e.Left, e.Right) }

// String implements Expr.
func (e *Like) String() string { return list("like", e.Value, e.Pattern) }

// String implements Expr.
func (e *Between) String() string { return list("between", e.Value, e.Low, e.High) }

// String implements Expr.
func (e *In) String() string { return list("in", e.Value, &Array{Items: e.List}) }

// String implements Expr.
func (e *IsNull) String() string { return list("isNull", e.Arg) }

// String implements Expr.
func (e *Call) String() string {
	if e.Kind == CallFunction && e.Op != "casei" && e.Op != "accenti" {
		return list("call "+strconv.Quote(e.Op), e.Args...)
	}
	return list(e.Op, e.Args...)
}

// String implements Expr.
func (e *Arithmetic) String() string { return list(e.Op, e.Left, e.Right) }

// String implements Expr.
func (e *Property) String() string { return "(property " + strconv.Quote(e.Name) + ")" }

// String implements Expr.
func (e *Text) String() string { return strconv.Quote(e.Value) }

// String implements Expr.
func (e *Number) String() string { return num(e.Value) }

// String implements Expr.
func (e *Bool) String() string { return strconv.FormatBool(e.Value) }

// String implements Expr.
func (e *Date) String() string { return "(date " + strconv.Quote(e.Value) + ")" }

// String implements Expr.
func (e *Timestamp) String() string {
	return "(timestamp " + strconv.Quote(e.Value.UTC().Format(time.RFC3339Nano)) + ")"
}

// String implements Expr.
func (e *Unbounded) String() string { return ".." }

// String implements Expr.
func (e *Interval) String() string { return list("interval", e.Start, e.End) }

// String implements Expr.
func (e *Geometry) String() string { return wkt.MarshalString(e.Geom) }

// String implements Expr.
func (e *BBox) String() string {
	return "(bbox " + num(e.West) + " " + num(e.South) + " " + num(e.East) + " " + num(e.North) + ")"
}

// String implements Expr.
func (e *Array) String() string {
	parts := make([]string, len(e.Items))
	for i, it := range e.Items {
		parts[i] = it.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// and builds a Logical node, flattening nested nodes of the same operator.
func logical(op string, args ...Expr) Expr {
	flat := make([]Expr, 0, len(args))
	for _, a := range args {
		if l, ok := a.(*Logical); ok && l.Op == op {
			flat = append(flat, l.Args...)
		} else {
			flat = append(flat, a)
		}
	}
	return &Logical{Op: op, Args: flat}
}
