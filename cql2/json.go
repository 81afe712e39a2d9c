package cql2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// ParseJSON parses a filter expression in the CQL2 JSON encoding (a
// boolean, or an object with "op" and "args").
func ParseJSON(data []byte) (Expr, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf("not a JSON document: %v", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, errorf("not a JSON document: data after the expression")
	}
	switch v.(type) {
	case bool, map[string]any:
	default:
		return nil, errorf("a CQL2 JSON expression is an object or a boolean")
	}
	e, err := fromJSON(v, "$", 0)
	if err != nil {
		return nil, err
	}
	if err := validate(e); err != nil {
		return nil, err
	}
	return e, nil
}

func jsonErr(path, format string, args ...any) *Error {
	return &Error{Pos: -1, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// members checks that an object has exactly the members named (optional
// ones marked with a trailing ?).
func members(m map[string]any, path string, names ...string) *Error {
	allowed := map[string]bool{}
	for _, n := range names {
		name, optional := strings.CutSuffix(n, "?")
		allowed[name] = true
		if _, ok := m[name]; !ok && !optional {
			return jsonErr(path, "member %q missing", name)
		}
	}
	var extra []string
	for k := range m {
		if !allowed[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return jsonErr(path, "unexpected member %q", extra[0])
	}
	return nil
}

// fromJSON converts a decoded JSON value into a node.
func fromJSON(v any, path string, depth int) (Expr, *Error) {
	if depth > maxDepth {
		return nil, jsonErr(path, "expression nested more than %d levels deep", maxDepth)
	}
	switch v := v.(type) {
	case bool:
		return &Bool{Value: v}, nil
	case json.Number:
		f, err := jsonNumber(v, path)
		return &Number{Value: f}, err
	case string:
		return &Text{Value: v}, nil
	case []any:
		items, err := jsonList(v, path, depth)
		return &Array{Items: items}, err
	case map[string]any:
		return fromObject(v, path, depth)
	}
	return nil, jsonErr(path, "null is not a CQL2 value")
}

func jsonNumber(n json.Number, path string) (float64, *Error) {
	f, err := parseNumber(string(n))
	if err != nil {
		return 0, jsonErr(path, "%v", err)
	}
	return f, nil
}

func jsonList(vs []any, path string, depth int) ([]Expr, *Error) {
	out := make([]Expr, len(vs))
	for i, it := range vs {
		e, err := fromJSON(it, fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// fromObject converts an operation, a property reference or a literal object.
func fromObject(m map[string]any, path string, depth int) (Expr, *Error) {
	switch {
	case m["op"] != nil:
		return fromOperation(m, path, depth)
	case m["property"] != nil:
		if err := members(m, path, "property"); err != nil {
			return nil, err
		}
		name, ok := m["property"].(string)
		if !ok || name == "" {
			return nil, jsonErr(path, "a property name is a non-empty string")
		}
		return &Property{Name: name}, nil
	case m["date"] != nil, m["timestamp"] != nil:
		key := "date"
		if m["timestamp"] != nil {
			key = "timestamp"
		}
		if err := members(m, path, key); err != nil {
			return nil, err
		}
		s, ok := m[key].(string)
		if !ok {
			return nil, jsonErr(path, "a %s is a string", key)
		}
		e, err := instant(s, key == "date")
		if err != nil {
			return nil, jsonErr(path, "%s", err.Msg)
		}
		return e, nil
	case m["interval"] != nil:
		return fromInterval(m, path, depth)
	case m["bbox"] != nil:
		if err := members(m, path, "bbox"); err != nil {
			return nil, err
		}
		nums, err := jsonNumbers(m["bbox"], path+".bbox")
		if err != nil {
			return nil, err
		}
		b, berr := bboxOf(nums)
		if berr != nil {
			return nil, jsonErr(path, "%s", berr.Msg)
		}
		return b, nil
	case m["type"] != nil:
		g, err := geoJSON(m, path, depth)
		if err != nil {
			return nil, err
		}
		return &Geometry{Geom: g}, nil
	}
	return nil, jsonErr(path, "an object needs \"op\", \"property\", \"date\", \"timestamp\", \"interval\", \"bbox\" or a GeoJSON \"type\"")
}

// arity gives the number of arguments an operation takes (0: two or more).
func arity(op string) (int, bool) {
	switch {
	case op == "and" || op == "or":
		return 0, true
	case op == "not" || op == "isNull" || op == "casei" || op == "accenti":
		return 1, true
	case op == "between":
		return 3, true
	case comparisonOp(op) || arithmeticOp(op) || op == "like" || op == "in":
		return 2, true
	}
	if _, _, ok := standardCall(op); ok {
		return 2, true
	}
	return -1, false
}

func fromOperation(m map[string]any, path string, depth int) (Expr, *Error) {
	if err := members(m, path, "op", "args"); err != nil {
		return nil, err
	}
	op, ok := m["op"].(string)
	if !ok || op == "" {
		return nil, jsonErr(path, "\"op\" is a non-empty string")
	}
	raw, ok := m["args"].([]any)
	if !ok {
		return nil, jsonErr(path, "\"args\" is an array")
	}
	kind, std, isStd := standardCall(op)
	if isStd {
		op = std
	}
	if strings.EqualFold(op, "isnull") {
		op = "isNull"
	}
	n, known := arity(op)
	switch {
	case known && n == 0 && len(raw) < 2:
		return nil, jsonErr(path, "%s takes two or more arguments", op)
	case known && n > 0 && len(raw) != n:
		return nil, jsonErr(path, "%s takes %d argument(s), not %d", op, n, len(raw))
	}
	if op == "in" {
		list, ok := raw[1].([]any)
		if !ok {
			return nil, jsonErr(path+".args[1]", "the list of in is an array")
		}
		v, err := fromJSON(raw[0], path+".args[0]", depth+1)
		if err != nil {
			return nil, err
		}
		items, err := jsonList(list, path+".args[1]", depth+1)
		if err != nil {
			return nil, err
		}
		return &In{Value: v, List: items}, nil
	}
	args, err := jsonList(raw, path+".args", depth)
	if err != nil {
		return nil, err
	}
	switch {
	case op == "and" || op == "or":
		return logical(op, args...), nil
	case op == "not":
		return &Not{Arg: args[0]}, nil
	case comparisonOp(op):
		return &Comparison{Op: op, Left: args[0], Right: args[1]}, nil
	case arithmeticOp(op):
		return &Arithmetic{Op: op, Left: args[0], Right: args[1]}, nil
	case op == "like":
		return &Like{Value: args[0], Pattern: args[1]}, nil
	case op == "between":
		return &Between{Value: args[0], Low: args[1], High: args[2]}, nil
	case op == "isNull":
		return &IsNull{Arg: args[0]}, nil
	case isStd:
		return &Call{Kind: kind, Op: op, Args: args}, nil
	}
	return &Call{Kind: CallFunction, Op: op, Args: args}, nil
}

func fromInterval(m map[string]any, path string, depth int) (Expr, *Error) {
	if err := members(m, path, "interval"); err != nil {
		return nil, err
	}
	ends, ok := m["interval"].([]any)
	if !ok || len(ends) != 2 {
		return nil, jsonErr(path, "an interval is an array of two ends")
	}
	var out [2]Expr
	for i, end := range ends {
		p := fmt.Sprintf("%s.interval[%d]", path, i)
		if s, ok := end.(string); ok {
			if s == ".." {
				out[i] = &Unbounded{}
				continue
			}
			e, err := instantAuto(s)
			if err != nil {
				return nil, jsonErr(p, "%s", err.Msg)
			}
			out[i] = e
			continue
		}
		e, err := fromJSON(end, p, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return &Interval{Start: out[0], End: out[1]}, nil
}

// jsonNumbers reads an array of numbers.
func jsonNumbers(v any, path string) ([]float64, *Error) {
	list, ok := v.([]any)
	if !ok {
		return nil, jsonErr(path, "expected an array of numbers")
	}
	out := make([]float64, len(list))
	for i, it := range list {
		n, ok := it.(json.Number)
		if !ok {
			return nil, jsonErr(fmt.Sprintf("%s[%d]", path, i), "expected a number")
		}
		f, err := jsonNumber(n, path)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// jsonPosition reads a GeoJSON position (a third coordinate is dropped).
func jsonPosition(v any, path string) (orb.Point, *Error) {
	nums, err := jsonNumbers(v, path)
	if err != nil {
		return orb.Point{}, err
	}
	if len(nums) < 2 || len(nums) > 3 {
		return orb.Point{}, jsonErr(path, "a position has 2 or 3 numbers, not %d", len(nums))
	}
	return orb.Point{nums[0], nums[1]}, nil
}

// jsonPositions reads an array of positions.
func jsonPositions(v any, path string) ([]orb.Point, *Error) {
	list, ok := v.([]any)
	if !ok {
		return nil, jsonErr(path, "expected an array of positions")
	}
	out := make([]orb.Point, len(list))
	for i, it := range list {
		p, err := jsonPosition(it, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// jsonArrays reads an array whose items are read by fn.
func jsonArrays(v any, path string, fn func(any, string) *Error) *Error {
	list, ok := v.([]any)
	if !ok {
		return jsonErr(path, "expected an array")
	}
	for i, it := range list {
		if err := fn(it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}
