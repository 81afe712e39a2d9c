package cql2

import (
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Supported summarises what Compile accepts, for error messages and docs.
const Supported = "comparisons (= <> < <= > >=), AND, OR, NOT, LIKE, BETWEEN, IN, IS NULL, CASEI and S_INTERSECTS"

// tri is a truth value of CQL2's three-valued logic.
type tri int8

const (
	triNull tri = iota
	triFalse
	triTrue
)

func truth(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

type pred func(Feature) tri

// operand is a compiled scalar expression and its static type.
type operand struct {
	fn   func(Feature) value
	typ  Type
	desc string
}

// Filter is a compiled filter expression, ready to be evaluated on features.
type Filter struct {
	pred  pred
	bound orb.Bound
	ok    bool
}

// Compile checks e against the queryables and the supported part of CQL2 and
// compiles it. Every property must be a queryable; operands of a comparison
// must have compatible types; a construct outside the supported part is an
// error that names it.
func Compile(e Expr, q Queryables) (*Filter, error) {
	c := compiler{q: q}
	p, err := c.pred(e)
	if err != nil {
		return nil, err
	}
	f := &Filter{pred: p}
	f.bound, f.ok = impliedBound(e, q)
	return f, nil
}

// Match reports whether the filter evaluates to TRUE for a feature (FALSE and
// NULL both leave it out).
func (f *Filter) Match(ft Feature) bool { return f.pred(ft) == triTrue }

// Bound returns a box every matching feature's geometry intersects, when the
// expression implies one (S_INTERSECTS with a literal, alone or under AND or
// OR), so that a store can narrow its scan.
func (f *Filter) Bound() (orb.Bound, bool) { return f.bound, f.ok }

type compiler struct{ q Queryables }

func unsupported(what string) *Error {
	return errorf("%s is not supported; supported are %s", what, Supported)
}

func (c compiler) pred(e Expr) (pred, error) {
	switch e := e.(type) {
	case *Bool:
		t := truth(e.Value)
		return func(Feature) tri { return t }, nil
	case *Logical:
		return c.logical(e)
	case *Not:
		p, err := c.pred(e.Arg)
		if err != nil {
			return nil, err
		}
		return func(f Feature) tri {
			switch p(f) {
			case triTrue:
				return triFalse
			case triFalse:
				return triTrue
			}
			return triNull
		}, nil
	case *Comparison:
		return c.comparison(e)
	case *Like:
		return c.like(e)
	case *Between:
		return c.between(e)
	case *In:
		return c.in(e)
	case *IsNull:
		return c.isNull(e)
	case *Call:
		if e.Kind == CallSpatial {
			return c.spatial(e)
		}
		if e.Kind == CallFunction {
			return nil, c.function(e)
		}
		return nil, unsupported(displayName(e.Op))
	}
	return nil, errorf("expected a predicate, found %s", describe(e))
}

func (c compiler) logical(e *Logical) (pred, error) {
	ps := make([]pred, len(e.Args))
	for i, a := range e.Args {
		p, err := c.pred(a)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	stop, other := triFalse, triTrue // AND: one FALSE decides
	if e.Op == "or" {
		stop, other = triTrue, triFalse
	}
	return func(f Feature) tri {
		out := other
		for _, p := range ps {
			switch v := p(f); v {
			case stop:
				return stop
			case triNull:
				out = triNull
			}
		}
		return out
	}, nil
}

// function reports the error of a function the compiler does not offer
// where it appears (CASEI is handled as an operand).
func (c compiler) function(e *Call) error {
	switch e.Op {
	case "casei":
		return errorf("CASEI gives a value, not a predicate; compare it, e.g. CASEI(name) = CASEI('text')")
	case "accenti":
		return unsupported("ACCENTI")
	}
	return unsupported("the function " + e.Op)
}

// operand compiles a scalar expression.
func (c compiler) operand(e Expr) (operand, error) {
	if v, t, ok := literal(e); ok {
		return operand{fn: func(Feature) value { return v }, typ: t, desc: describe(e)}, nil
	}
	switch e := e.(type) {
	case *Property:
		t, err := c.property(e.Name)
		if err != nil {
			return operand{}, err
		}
		if t == TypeGeometry {
			return operand{}, errorf("property %s is a geometry: test it with S_INTERSECTS", e.Name)
		}
		name := e.Name
		return operand{fn: func(f Feature) value { return toValue(f.Property(name), t) }, typ: t, desc: describe(e)}, nil
	case *Call:
		if e.Op != "casei" {
			return operand{}, c.function(e)
		}
		arg, err := c.operand(e.Args[0])
		if err != nil {
			return operand{}, err
		}
		if arg.typ != TypeString && arg.typ != TypeAny {
			return operand{}, errorf("CASEI takes a string, not %s (%s)", arg.desc, arg.typ)
		}
		return operand{fn: func(f Feature) value {
			v := arg.fn(f)
			if v.k == kString {
				v.s = strings.ToLower(v.s)
			}
			return v
		}, typ: TypeString, desc: "CASEI(" + arg.desc + ")"}, nil
	case *Arithmetic:
		return operand{}, unsupported("arithmetic (" + e.Op + ")")
	}
	return operand{}, errorf("expected a value, found %s", describe(e))
}

// property returns the type of a queryable, or an error naming the
// queryables when there is no such property.
func (c compiler) property(name string) (Type, error) {
	if t, ok := c.q[name]; ok {
		return t, nil
	}
	names := make([]string, 0, len(c.q))
	for n := range c.q {
		names = append(names, n)
	}
	sort.Strings(names)
	return 0, errorf("unknown property %q; the queryables are %s", name, strings.Join(names, ", "))
}

// operands compiles scalar expressions and checks that their types can be
// compared with each other.
//
// A character literal compared with a date or timestamp is read as one when
// it is one (a type cast the standard leaves to the server; GDAL writes date
// filters that way).
func (c compiler) operands(what string, es ...Expr) ([]operand, error) {
	ops := make([]operand, len(es))
	instantType := TypeAny
	for i, e := range es {
		o, err := c.operand(e)
		if err != nil {
			return nil, err
		}
		ops[i] = o
		if _, text := e.(*Text); !text && (o.typ == TypeDate || o.typ == TypeTimestamp) {
			instantType = o.typ
		}
	}
	for i, e := range es {
		if t, ok := e.(*Text); ok && instantType != TypeAny {
			if lit, ok := castInstant(t.Value, instantType); ok {
				ops[i], _ = c.operand(lit)
			}
		}
	}
	for _, o := range ops {
		if !compatible(ops[0].typ, o.typ) {
			return nil, errorf("%s: cannot compare %s (%s) with %s (%s)", what, ops[0].desc, ops[0].typ, o.desc, o.typ)
		}
	}
	return ops, nil
}

func (c compiler) comparison(e *Comparison) (pred, error) {
	ops, err := c.operands(e.Op, e.Left, e.Right)
	if err != nil {
		return nil, err
	}
	l, r, op := ops[0].fn, ops[1].fn, e.Op
	return func(f Feature) tri {
		n, ok := compare(l(f), r(f))
		if !ok {
			return triNull
		}
		switch op {
		case "=":
			return truth(n == 0)
		case "<>":
			return truth(n != 0)
		case "<":
			return truth(n < 0)
		case "<=":
			return truth(n <= 0)
		case ">":
			return truth(n > 0)
		}
		return truth(n >= 0)
	}, nil
}

func (c compiler) like(e *Like) (pred, error) {
	v, err := c.operand(e.Value)
	if err != nil {
		return nil, err
	}
	if v.typ != TypeString && v.typ != TypeAny {
		return nil, errorf("LIKE needs a string, not %s (%s)", v.desc, v.typ)
	}
	pat, fold := e.Pattern, false
	for {
		call, ok := pat.(*Call)
		if !ok {
			break
		}
		if call.Op != "casei" {
			return nil, c.function(call)
		}
		pat, fold = call.Args[0], true
	}
	text := pat.(*Text).Value // validate checked the pattern
	if fold {
		text = strings.ToLower(text)
	}
	m := compileLike(text)
	return func(f Feature) tri {
		x := v.fn(f)
		if x.k != kString {
			return triNull
		}
		return truth(likeMatch(m, x.s))
	}, nil
}

func (c compiler) between(e *Between) (pred, error) {
	ops, err := c.operands("BETWEEN", e.Value, e.Low, e.High)
	if err != nil {
		return nil, err
	}
	for _, o := range ops {
		if !o.typ.numeric() && o.typ != TypeAny {
			return nil, errorf("BETWEEN compares numbers, not %s (%s)", o.desc, o.typ)
		}
	}
	return func(f Feature) tri {
		x, lo, hi := ops[0].fn(f), ops[1].fn(f), ops[2].fn(f)
		if x.k != kNumber || lo.k != kNumber || hi.k != kNumber {
			return triNull
		}
		return truth(lo.n <= x.n && x.n <= hi.n)
	}, nil
}

func (c compiler) in(e *In) (pred, error) {
	ops, err := c.operands("IN", append([]Expr{e.Value}, e.List...)...)
	if err != nil {
		return nil, err
	}
	return func(f Feature) tri {
		x := ops[0].fn(f)
		if x.k == kNull {
			return triNull
		}
		for _, o := range ops[1:] {
			if n, ok := compare(x, o.fn(f)); ok && n == 0 {
				return triTrue
			}
		}
		return triFalse
	}, nil
}

func (c compiler) isNull(e *IsNull) (pred, error) {
	if p, ok := e.Arg.(*Property); ok {
		t, err := c.property(p.Name)
		if err != nil {
			return nil, err
		}
		name := p.Name
		if t == TypeGeometry {
			return func(f Feature) tri { return truth(newShape(f.Geometry()) == nil) }, nil
		}
		return func(f Feature) tri { return truth(toValue(f.Property(name), t).k == kNull) }, nil
	}
	switch e.Arg.(type) {
	case *Geometry, *BBox:
		return func(Feature) tri { return triFalse }, nil
	case *Interval, *Array:
		return nil, unsupported("IS NULL on " + describe(e.Arg))
	}
	switch arg := e.Arg.(type) {
	case *Text, *Number, *Bool, *Date, *Timestamp, *Arithmetic:
		return func(Feature) tri { return triFalse }, c.scalarOnly(arg)
	case *Call:
		if arg.Kind == CallFunction {
			o, err := c.operand(arg)
			if err != nil {
				return nil, err
			}
			return func(f Feature) tri { return truth(o.fn(f).k == kNull) }, nil
		}
	}
	p, err := c.pred(e.Arg)
	if err != nil {
		return nil, err
	}
	return func(f Feature) tri { return truth(p(f) == triNull) }, nil
}

// scalarOnly compiles a scalar expression for its errors alone.
func (c compiler) scalarOnly(e Expr) error {
	_, err := c.operand(e)
	return err
}

// castInstant reads a character literal as a date or a timestamp. Besides
// RFC 3339 it takes the forms GDAL writes for a date field ("2023-05-01T")
// and for timestamps without seconds ("2023-05-01T10Z", "2023-05-01T10:30Z").
func castInstant(s string, t Type) (Expr, bool) {
	if len(s) < len(dateLayout) {
		return nil, false
	}
	day, err := time.Parse(dateLayout, s[:len(dateLayout)])
	if err != nil {
		return nil, false
	}
	rest := s[len(dateLayout):]
	if t == TypeDate {
		// a date, or a date at midnight
		if rest == "" || rest[0] == 'T' && strings.Trim(rest[1:], "0:.Z") == "" {
			return &Date{Value: s[:len(dateLayout)]}, true
		}
		return nil, false
	}
	if rest == "" || rest == "T" {
		return &Timestamp{Value: day}, true
	}
	if v := toValue(s, TypeTimestamp); v.k == kTimestamp {
		return &Timestamp{Value: v.t}, true
	}
	for _, l := range []string{"2006-01-02T15Z07:00", "2006-01-02T15:04Z07:00"} {
		if ts, err := time.Parse(l, s); err == nil {
			return &Timestamp{Value: ts.UTC()}, true
		}
	}
	return nil, false
}
