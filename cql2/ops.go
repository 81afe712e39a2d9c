package cql2

import "strings"

// standardCalls lists the standardized functions of CQL2 by their JSON names.
func standardCalls() []Call {
	return []Call{
		{Kind: CallSpatial, Op: "s_intersects"}, {Kind: CallSpatial, Op: "s_equals"},
		{Kind: CallSpatial, Op: "s_disjoint"}, {Kind: CallSpatial, Op: "s_touches"},
		{Kind: CallSpatial, Op: "s_within"}, {Kind: CallSpatial, Op: "s_overlaps"},
		{Kind: CallSpatial, Op: "s_crosses"}, {Kind: CallSpatial, Op: "s_contains"},
		{Kind: CallTemporal, Op: "t_after"}, {Kind: CallTemporal, Op: "t_before"},
		{Kind: CallTemporal, Op: "t_contains"}, {Kind: CallTemporal, Op: "t_disjoint"},
		{Kind: CallTemporal, Op: "t_during"}, {Kind: CallTemporal, Op: "t_equals"},
		{Kind: CallTemporal, Op: "t_finishedBy"}, {Kind: CallTemporal, Op: "t_finishes"},
		{Kind: CallTemporal, Op: "t_intersects"}, {Kind: CallTemporal, Op: "t_meets"},
		{Kind: CallTemporal, Op: "t_metBy"}, {Kind: CallTemporal, Op: "t_overlappedBy"},
		{Kind: CallTemporal, Op: "t_overlaps"}, {Kind: CallTemporal, Op: "t_startedBy"},
		{Kind: CallTemporal, Op: "t_starts"},
		{Kind: CallArray, Op: "a_equals"}, {Kind: CallArray, Op: "a_contains"},
		{Kind: CallArray, Op: "a_containedBy"}, {Kind: CallArray, Op: "a_overlaps"},
		{Kind: CallFunction, Op: "casei"}, {Kind: CallFunction, Op: "accenti"},
	}
}

// standardCall returns the kind and the JSON name of a standardized function
// named in either encoding, in any letter case.
func standardCall(name string) (kind, op string, ok bool) {
	for _, c := range standardCalls() {
		if strings.EqualFold(c.Op, name) {
			return c.Kind, c.Op, true
		}
	}
	return "", "", false
}

// keywords are the reserved words of CQL2 text (besides the standardized
// function names); a property with one of these names must be double-quoted.
func isKeyword(upper string) bool {
	switch upper {
	case "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE", "DIV",
		"DATE", "TIMESTAMP", "INTERVAL", "BBOX", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
		"MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION", "CASEI", "ACCENTI":
		return true
	}
	_, _, ok := standardCall(upper)
	return ok
}

// comparisonOp reports whether op is a binary comparison operator.
func comparisonOp(op string) bool {
	switch op {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// arithmeticOp reports whether op is an arithmetic operator of either encoding.
func arithmeticOp(op string) bool {
	switch op {
	case "+", "-", "*", "/", "%", "^", "div":
		return true
	}
	return false
}

// displayName is a standardized function's name as CQL2 text writes it.
func displayName(op string) string { return strings.ToUpper(op) }
