package cql2

import "strings"

// validate checks the roles of the nodes of a parsed tree, as the grammar
// gives them: a predicate where a predicate belongs, a value where a value
// does. Both encodings pass through it, so that they accept the same trees.
func validate(e Expr) error {
	if err := checkPredicate(e, 0); err != nil {
		return err
	}
	return nil
}

// describe names a node for an error message.
func describe(e Expr) string {
	switch e := e.(type) {
	case *Logical:
		return "an " + strings.ToUpper(e.Op) + " expression"
	case *Not:
		return "a NOT expression"
	case *Comparison:
		return "a comparison (" + e.Op + ")"
	case *Like:
		return "a LIKE predicate"
	case *Between:
		return "a BETWEEN predicate"
	case *In:
		return "an IN predicate"
	case *IsNull:
		return "an IS NULL predicate"
	case *Call:
		if e.Kind == CallFunction {
			return "a call of " + e.Op
		}
		return "a " + displayName(e.Op) + " predicate"
	case *Arithmetic:
		return "an arithmetic expression (" + e.Op + ")"
	case *Property:
		return "property " + e.Name
	case *Text:
		return "a character literal"
	case *Number:
		return "a number"
	case *Bool:
		return "a boolean literal"
	case *Date:
		return "a date"
	case *Timestamp:
		return "a timestamp"
	case *Unbounded:
		return "'..'"
	case *Interval:
		return "an interval"
	case *Geometry:
		return "a geometry"
	case *BBox:
		return "a bounding box"
	case *Array:
		return "an array"
	}
	return "an expression"
}

func tooDeep(depth int) *Error {
	if depth > maxDepth {
		return errorf("expression nested more than %d levels deep", maxDepth)
	}
	return nil
}

// checkPredicate checks a node where the grammar wants a predicate.
func checkPredicate(e Expr, depth int) *Error {
	if err := tooDeep(depth); err != nil {
		return err
	}
	depth++
	switch e := e.(type) {
	case *Logical:
		for _, a := range e.Args {
			if err := checkPredicate(a, depth); err != nil {
				return err
			}
		}
		return nil
	case *Not:
		return checkPredicate(e.Arg, depth)
	case *Comparison:
		return checkScalars(depth, "the operands of "+e.Op, e.Left, e.Right)
	case *Like:
		if err := checkScalars(depth, "the value of LIKE", e.Value); err != nil {
			return err
		}
		return checkPattern(e.Pattern, depth)
	case *Between:
		return checkScalars(depth, "the operands of BETWEEN", e.Value, e.Low, e.High)
	case *In:
		return checkScalars(depth, "the operands of IN", append([]Expr{e.Value}, e.List...)...)
	case *IsNull:
		return checkAny(e.Arg, depth)
	case *Call:
		return checkCall(e, depth)
	case *Bool:
		return nil
	}
	return errorf("expected a predicate, found %s", describe(e))
}

// checkScalars checks nodes where the grammar wants scalar values.
func checkScalars(depth int, where string, es ...Expr) *Error {
	if err := tooDeep(depth); err != nil {
		return err
	}
	for _, e := range es {
		switch e := e.(type) {
		case *Property, *Text, *Number, *Bool, *Date, *Timestamp:
			continue
		case *Call:
			if e.Kind == CallFunction {
				if err := checkCall(e, depth+1); err != nil {
					return err
				}
				continue
			}
		case *Arithmetic:
			if err := checkScalars(depth+1, "the operands of "+e.Op, e.Left, e.Right); err != nil {
				return err
			}
			continue
		}
		return errorf("%s must be values, not %s", where, describe(e))
	}
	return nil
}

// checkPattern checks the pattern of LIKE: a character literal, possibly
// wrapped in CASEI or ACCENTI.
func checkPattern(e Expr, depth int) *Error {
	if err := tooDeep(depth); err != nil {
		return err
	}
	switch e := e.(type) {
	case *Text:
		return nil
	case *Call:
		if (e.Op == "casei" || e.Op == "accenti") && len(e.Args) == 1 {
			return checkPattern(e.Args[0], depth+1)
		}
	}
	return errorf("the pattern of LIKE must be a character literal, not %s", describe(e))
}

// checkCall checks the arguments of a function or predicate function.
func checkCall(c *Call, depth int) *Error {
	if err := tooDeep(depth); err != nil {
		return err
	}
	name := displayName(c.Op)
	if c.Kind == CallFunction {
		if c.Op != "casei" && c.Op != "accenti" {
			for _, a := range c.Args {
				if err := checkAny(a, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if len(c.Args) != 1 {
			return errorf("%s takes 1 argument, not %d", name, len(c.Args))
		}
		return checkScalars(depth+1, "the argument of "+name, c.Args[0])
	}
	if len(c.Args) != 2 {
		return errorf("%s takes 2 arguments, not %d", name, len(c.Args))
	}
	for _, a := range c.Args {
		ok := false
		switch a := a.(type) {
		case *Property:
			ok = true
		case *Call:
			ok = a.Kind == CallFunction
		case *Geometry, *BBox:
			ok = c.Kind == CallSpatial
		case *Date, *Timestamp:
			ok = c.Kind == CallTemporal
		case *Interval:
			ok = c.Kind == CallTemporal
		case *Array:
			ok = c.Kind == CallArray
		}
		if !ok {
			return errorf("%s cannot take %s", name, describe(a))
		}
		if err := checkAny(a, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// checkAny checks a node that may be of any kind (an argument of a custom
// function, an element of an array, the operand of IS NULL).
func checkAny(e Expr, depth int) *Error {
	if err := tooDeep(depth); err != nil {
		return err
	}
	switch e := e.(type) {
	case *Logical, *Not, *Comparison, *Like, *Between, *In, *IsNull:
		return checkPredicate(e, depth)
	case *Call:
		return checkCall(e, depth)
	case *Arithmetic:
		return checkScalars(depth, "the operands of "+e.Op, e.Left, e.Right)
	case *Interval:
		for _, end := range []Expr{e.Start, e.End} {
			switch end := end.(type) {
			case *Date, *Timestamp, *Unbounded, *Property:
			case *Call:
				if err := checkCall(end, depth+1); err != nil {
					return err
				}
			default:
				return errorf("an interval cannot end with %s", describe(end))
			}
		}
	case *Array:
		for _, it := range e.Items {
			if err := checkAny(it, depth+1); err != nil {
				return err
			}
		}
	case *Unbounded:
		return errorf("'..' is only allowed in an interval")
	}
	return nil
}
