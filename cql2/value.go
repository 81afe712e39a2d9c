package cql2

import (
	"cmp"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Type is the type of a queryable, as its JSON Schema describes it.
type Type int

// Queryable types. TypeAny is a property whose values are taken as they come.
const (
	TypeAny Type = iota
	TypeString
	TypeNumber
	TypeInteger
	TypeBoolean
	TypeDate
	TypeTimestamp
	TypeGeometry
)

// String names the type as a queryables schema writes it.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "number"
	case TypeInteger:
		return "integer"
	case TypeBoolean:
		return "boolean"
	case TypeDate:
		return "date"
	case TypeTimestamp:
		return "timestamp"
	case TypeGeometry:
		return "geometry"
	}
	return "any"
}

func (t Type) numeric() bool { return t == TypeNumber || t == TypeInteger }

// compatible reports whether values of types a and b can be compared.
func compatible(a, b Type) bool {
	if a == TypeAny || b == TypeAny {
		return a != TypeGeometry && b != TypeGeometry
	}
	return a == b || a.numeric() && b.numeric()
}

// Queryables maps the property names a filter may use to their types.
type Queryables map[string]Type

// Feature is what a filter is evaluated on: the properties of a feature by
// name (nil when unset) and its geometry.
type Feature interface {
	Property(name string) any
	Geometry() orb.Geometry
}

// kind is the runtime type of a value.
type kind uint8

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kDate
	kTimestamp
)

// value is a scalar value during evaluation.
type value struct {
	k kind
	s string
	n float64
	b bool
	t time.Time
}

// compare orders a and b; ok is false when their kinds differ or either is
// null. Strings compare by code point, booleans false before true.
func compare(a, b value) (c int, ok bool) {
	if a.k != b.k || a.k == kNull {
		return 0, false
	}
	switch a.k {
	case kString:
		return strings.Compare(a.s, b.s), true
	case kNumber:
		return cmp.Compare(a.n, b.n), true
	case kBool:
		switch {
		case a.b == b.b:
			return 0, true
		case b.b:
			return -1, true
		}
		return 1, true
	}
	return a.t.Compare(b.t), true
}

// timestampLayouts are the forms a timestamp property may come in; a missing
// zone is UTC.
func timestampLayouts() []string {
	return []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}
}

// toValue converts a property value to a value of the queryable's type:
// strings of date and timestamp queryables are parsed; numbers of any Go
// type become float64; nil, nil pointers, NaN and what cannot be read are
// null.
func toValue(v any, t Type) value {
	switch v := v.(type) {
	case nil:
		return value{}
	case string:
		switch t {
		case TypeDate:
			d, err := time.Parse(dateLayout, v)
			if err != nil && len(v) > len(dateLayout) {
				d, err = time.Parse(dateLayout, v[:len(dateLayout)])
			}
			if err != nil {
				return value{}
			}
			return value{k: kDate, t: d}
		case TypeTimestamp:
			for _, l := range timestampLayouts() {
				if ts, err := time.Parse(l, v); err == nil {
					return value{k: kTimestamp, t: ts.UTC()}
				}
			}
			return value{}
		}
		return value{k: kString, s: v}
	case bool:
		return value{k: kBool, b: v}
	case float64:
		return number(v)
	case float32:
		return number(float64(v))
	case int:
		return number(float64(v))
	case int64:
		return number(float64(v))
	case int32:
		return number(float64(v))
	case uint64:
		return number(float64(v))
	case time.Time:
		if t == TypeDate {
			y, m, d := v.Date()
			return value{k: kDate, t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
		}
		return value{k: kTimestamp, t: v.UTC()}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return value{}
		}
		return toValue(rv.Elem().Interface(), t)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return number(float64(rv.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return number(float64(rv.Uint()))
	case reflect.String:
		return toValue(rv.String(), t)
	case reflect.Bool:
		return value{k: kBool, b: rv.Bool()}
	}
	return value{}
}

func number(f float64) value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return value{}
	}
	return value{k: kNumber, n: f}
}

// literal converts a literal node to a value and its type.
func literal(e Expr) (value, Type, bool) {
	switch e := e.(type) {
	case *Text:
		return value{k: kString, s: e.Value}, TypeString, true
	case *Number:
		return value{k: kNumber, n: e.Value}, TypeNumber, true
	case *Bool:
		return value{k: kBool, b: e.Value}, TypeBoolean, true
	case *Date:
		d, _ := time.Parse(dateLayout, e.Value) // the parser checked it
		return value{k: kDate, t: d}, TypeDate, true
	case *Timestamp:
		return value{k: kTimestamp, t: e.Value}, TypeTimestamp, true
	}
	return value{}, TypeAny, false
}
