package cql2

import (
	"strings"
	"unicode/utf8"
)

// maxDepth bounds the nesting of an expression (parentheses, NOT, signs,
// function arguments, geometries), so that a hostile input cannot exhaust
// the stack. GDAL nests every AND and OR it writes in parentheses, one
// level per condition.
const maxDepth = 256

// textParser is a recursive-descent parser of CQL2 text. Errors abort the
// parse by panicking with a *Error, which ParseText recovers.
type textParser struct {
	lx    lexer
	tok   token
	depth int
	draft bool // accept ILIKE
}

// ParseText parses a filter expression in the CQL2 text encoding. Keywords
// are case-insensitive; property names are case-sensitive and may be
// double-quoted.
func ParseText(src string) (Expr, error) { return parseText(src, false) }

// ParseDraftText parses the text language of the OGC API – Features Part 3
// drafts ("cql-text"), as GDAL's OAPIF driver writes it: CQL2 text plus
// "a [NOT] ILIKE 'pattern'", which becomes CASEI(a) [NOT] LIKE CASEI('pattern').
func ParseDraftText(src string) (Expr, error) { return parseText(src, true) }

func parseText(src string, draft bool) (e Expr, err error) {
	if !utf8.ValidString(src) {
		return nil, &Error{Pos: strings.IndexFunc(src, func(r rune) bool { return r == utf8.RuneError }), Msg: "invalid UTF-8"}
	}
	p := &textParser{lx: lexer{src: src}, draft: draft}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			e, err = nil, pe
		}
	}()
	p.advance()
	if p.tok.kind == tokEOF {
		return nil, &Error{Pos: 0, Msg: "empty filter"}
	}
	e = p.or()
	if p.tok.kind != tokEOF {
		p.fail("unexpected %s", p.describe())
	}
	if err := validate(e); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *textParser) fail(format string, args ...any) {
	panic(p.lx.fail(p.tok.pos, format, args...))
}

func (p *textParser) advance() {
	t, err := p.lx.next()
	if err != nil {
		panic(err)
	}
	p.tok = t
}

// describe names the current token for an error message.
func (p *textParser) describe() string {
	switch p.tok.kind {
	case tokEOF:
		return "end of filter"
	case tokString:
		return "character literal '" + p.tok.text + "'"
	case tokQuoted:
		return `"` + p.tok.text + `"`
	}
	return "'" + p.tok.text + "'"
}

// kw reports whether the current token is the keyword word (upper case).
func (p *textParser) kw(word string) bool {
	return p.tok.kind == tokIdent && strings.EqualFold(p.tok.text, word)
}

func (p *textParser) punct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *textParser) expect(s string) {
	if !p.punct(s) {
		p.fail("expected '%s', found %s", s, p.describe())
	}
	p.advance()
}

func (p *textParser) expectKw(word string) {
	if !p.kw(word) {
		p.fail("expected %s, found %s", word, p.describe())
	}
	p.advance()
}

func (p *textParser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail("expression nested more than %d levels deep", maxDepth)
	}
}

func (p *textParser) leave() { p.depth-- }

// or parses booleanExpression: terms joined by OR.
func (p *textParser) or() Expr {
	args := []Expr{p.and()}
	for p.kw("OR") {
		p.advance()
		args = append(args, p.and())
	}
	if len(args) == 1 {
		return args[0]
	}
	return logical("or", args...)
}

// and parses booleanTerm: factors joined by AND.
func (p *textParser) and() Expr {
	args := []Expr{p.not()}
	for p.kw("AND") {
		p.advance()
		args = append(args, p.not())
	}
	if len(args) == 1 {
		return args[0]
	}
	return logical("and", args...)
}

// not parses booleanFactor: an optional NOT before a primary.
func (p *textParser) not() Expr {
	if p.kw("NOT") {
		p.enter()
		defer p.leave()
		p.advance()
		return &Not{Arg: p.not()}
	}
	return p.predicate()
}

// predicate parses a value followed by a comparison, LIKE, BETWEEN, IN or
// IS NULL, or a value alone (a boolean literal, a function or a
// parenthesised expression).
func (p *textParser) predicate() Expr {
	left := p.additive()
	if p.tok.kind == tokPunct && comparisonOp(p.tok.text) {
		op := p.tok.text
		p.advance()
		return &Comparison{Op: op, Left: left, Right: p.additive()}
	}
	negate := false
	if p.kw("NOT") {
		p.advance()
		if !p.kw("LIKE") && !p.kw("BETWEEN") && !p.kw("IN") && !p.kw("ILIKE") {
			p.fail("expected LIKE, BETWEEN or IN after NOT, found %s", p.describe())
		}
		negate = true
	}
	var e Expr
	switch {
	case p.kw("LIKE"):
		p.advance()
		e = &Like{Value: left, Pattern: p.additive()}
	case p.kw("ILIKE"):
		if !p.draft {
			p.fail("ILIKE is not CQL2; write CASEI(value) LIKE CASEI('pattern')")
		}
		p.advance()
		fold := func(x Expr) Expr { return &Call{Kind: CallFunction, Op: "casei", Args: []Expr{x}} }
		e = &Like{Value: fold(left), Pattern: fold(p.additive())}
	case p.kw("BETWEEN"):
		p.advance()
		low := p.additive()
		p.expectKw("AND")
		e = &Between{Value: left, Low: low, High: p.additive()}
	case p.kw("IN"):
		p.advance()
		p.expect("(")
		list := []Expr{p.additive()}
		for p.punct(",") {
			p.advance()
			list = append(list, p.additive())
		}
		p.expect(")")
		e = &In{Value: left, List: list}
	case p.kw("IS"):
		p.advance()
		if p.kw("NOT") {
			p.advance()
			negate = true
		}
		p.expectKw("NULL")
		e = &IsNull{Arg: left}
	default:
		return left
	}
	if negate {
		return &Not{Arg: e}
	}
	return e
}

// additive parses arithmeticExpression: terms joined by + and -.
func (p *textParser) additive() Expr {
	e := p.multiplicative()
	for p.punct("+") || p.punct("-") {
		op := p.tok.text
		p.advance()
		e = &Arithmetic{Op: op, Left: e, Right: p.multiplicative()}
	}
	return e
}

// multiplicative parses arithmeticTerm: powers joined by * / % and DIV.
func (p *textParser) multiplicative() Expr {
	e := p.power()
	for p.punct("*") || p.punct("/") || p.punct("%") || p.kw("DIV") {
		op := p.tok.text
		if p.kw("DIV") {
			op = "div"
		}
		p.advance()
		e = &Arithmetic{Op: op, Left: e, Right: p.power()}
	}
	return e
}

// power parses powerTerm: a factor with an optional ^ exponent.
func (p *textParser) power() Expr {
	e := p.unary()
	if p.punct("^") {
		p.advance()
		e = &Arithmetic{Op: "^", Left: e, Right: p.unary()}
	}
	return e
}

// unary parses an optional sign before an operand: a signed number literal,
// or -1 times any other operand.
func (p *textParser) unary() Expr {
	if p.punct("+") || p.punct("-") {
		p.enter()
		defer p.leave()
		neg := p.punct("-")
		p.advance()
		e := p.unary()
		if !neg {
			return e
		}
		if n, ok := e.(*Number); ok {
			return &Number{Value: -n.Value}
		}
		return &Arithmetic{Op: "*", Left: &Number{Value: -1}, Right: e}
	}
	return p.primary()
}

// primary parses a literal, a property, a function or predicate function
// call, or a parenthesised expression or array.
func (p *textParser) primary() Expr {
	t := p.tok
	switch t.kind {
	case tokNumber:
		p.advance()
		f, _ := parseNumber(t.text) // the lexer checked it
		return &Number{Value: f}
	case tokString:
		p.advance()
		return &Text{Value: t.text}
	case tokQuoted:
		p.advance()
		return &Property{Name: t.text}
	case tokPunct:
		if t.text == "(" {
			return p.parenthesised()
		}
		p.fail("unexpected %s", p.describe())
	case tokIdent:
		return p.identifier()
	}
	p.fail("unexpected %s", p.describe())
	return nil
}

// parenthesised parses "(" expression ")" or an array "(a, b, ...)".
func (p *textParser) parenthesised() Expr {
	p.enter()
	defer p.leave()
	p.advance()
	if p.punct(")") {
		p.advance()
		return &Array{Items: []Expr{}}
	}
	items := []Expr{p.or()}
	for p.punct(",") {
		p.advance()
		items = append(items, p.or())
	}
	p.expect(")")
	if len(items) == 1 {
		return items[0]
	}
	return &Array{Items: items}
}

// identifier parses what starts with a bare word: a keyword construct, a
// function call or a property name.
func (p *textParser) identifier() Expr {
	t := p.tok
	up := strings.ToUpper(t.text)
	switch up {
	case "TRUE", "FALSE":
		p.advance()
		return &Bool{Value: up == "TRUE"}
	case "DATE", "TIMESTAMP":
		p.advance()
		p.expect("(")
		if p.tok.kind != tokString {
			p.fail("%s needs a quoted %s, found %s", up, strings.ToLower(up), p.describe())
		}
		s, pos := p.tok.text, p.tok.pos
		p.advance()
		p.expect(")")
		e, err := instant(s, up == "DATE")
		if err != nil {
			panic(&Error{Pos: pos, Msg: err.Msg})
		}
		return e
	case "INTERVAL":
		p.advance()
		p.expect("(")
		start := p.intervalEnd()
		p.expect(",")
		end := p.intervalEnd()
		p.expect(")")
		return &Interval{Start: start, End: end}
	case "BBOX":
		return p.bbox()
	}
	if geometryKeyword(up) {
		return &Geometry{Geom: p.geometry()}
	}
	if kind, op, ok := standardCall(up); ok {
		p.advance()
		return &Call{Kind: kind, Op: op, Args: p.arguments(kind)}
	}
	if isKeyword(up) {
		p.fail("unexpected keyword %s (a property with this name must be double-quoted)", t.text)
	}
	p.advance()
	if p.punct("(") {
		return &Call{Kind: CallFunction, Op: t.text, Args: p.arguments(CallFunction)}
	}
	return &Property{Name: t.text}
}

// arguments parses a parenthesised, comma-separated argument list. The
// operands of an array function that are a single literal are arrays of one.
func (p *textParser) arguments(kind string) []Expr {
	p.enter()
	defer p.leave()
	p.expect("(")
	args := []Expr{}
	if p.punct(")") {
		p.advance()
		return args
	}
	for {
		a := p.or()
		if kind == CallArray {
			switch a.(type) {
			case *Array, *Property, *Call:
			default:
				a = &Array{Items: []Expr{a}}
			}
		}
		args = append(args, a)
		if !p.punct(",") {
			break
		}
		p.advance()
	}
	p.expect(")")
	return args
}

// intervalEnd parses one end of INTERVAL(...): an instant string, '..', a
// property or a function.
func (p *textParser) intervalEnd() Expr {
	if p.tok.kind == tokString {
		s, pos := p.tok.text, p.tok.pos
		p.advance()
		if s == ".." {
			return &Unbounded{}
		}
		e, err := instantAuto(s)
		if err != nil {
			panic(&Error{Pos: pos, Msg: err.Msg})
		}
		return e
	}
	return p.additive()
}

// signedNumber parses a number with an optional sign.
func (p *textParser) signedNumber() float64 {
	neg := false
	if p.punct("-") || p.punct("+") {
		neg = p.punct("-")
		p.advance()
	}
	if p.tok.kind != tokNumber {
		p.fail("expected a number, found %s", p.describe())
	}
	f, _ := parseNumber(p.tok.text)
	p.advance()
	if neg {
		return -f
	}
	return f
}

// bbox parses BBOX(west, south, east, north) or its six-number form with
// elevations, BBOX(west, south, min, east, north, max).
func (p *textParser) bbox() Expr {
	pos := p.tok.pos
	p.advance()
	p.expect("(")
	nums := []float64{p.signedNumber()}
	for p.punct(",") {
		p.advance()
		nums = append(nums, p.signedNumber())
	}
	p.expect(")")
	b, err := bboxOf(nums)
	if err != nil {
		panic(&Error{Pos: pos, Msg: err.Msg})
	}
	return b
}
