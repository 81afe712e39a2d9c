package cql2

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a syntax or support error in a filter expression. Pos is the byte
// offset in a text expression (-1 when it does not apply); Path locates the
// member of a JSON expression ("" when it does not apply).
type Error struct {
	Pos  int
	Path string
	Msg  string
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Pos >= 0:
		return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Msg)
	case e.Path != "":
		return fmt.Sprintf("at %s: %s", e.Path, e.Msg)
	}
	return e.Msg
}

// errorf returns an *Error without a position.
func errorf(format string, args ...any) *Error {
	return &Error{Pos: -1, Msg: fmt.Sprintf(format, args...)}
}

type tokKind int

const (
	tokEOF    tokKind = iota
	tokIdent          // an unquoted identifier or keyword
	tokQuoted         // a double-quoted property name
	tokString         // a character literal, unescaped
	tokNumber         // an unsigned numeric literal
	tokPunct          // ( ) , = <> < <= > >= + - * / % ^
)

type token struct {
	kind tokKind
	text string // identifier, unescaped string, number text or punctuation
	pos  int
}

// lexer splits a CQL2 text expression into tokens.
type lexer struct {
	src string
	pos int
}

// isSpace reports whether r is whitespace in CQL2 text.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' }

// identStart and identPart follow the identifier rules of the CQL2 grammar
// (colon, underscore, letters; then also dots, digits and combining marks).
func identStart(r rune) bool { return r == ':' || r == '_' || unicode.IsLetter(r) }

func identPart(r rune) bool {
	return identStart(r) || r == '.' || ('0' <= r && r <= '9') || unicode.Is(unicode.Mn, r) ||
		r == '\u203F' || r == '\u2040' || r == '\u200C' || r == '\u200D'
}

func (l *lexer) fail(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isSpace(r) {
			break
		}
		l.pos += n
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	r, n := utf8.DecodeRuneInString(l.src[l.pos:])
	switch {
	case r == utf8.RuneError && n <= 1:
		return token{}, l.fail(start, "invalid UTF-8")
	case r == '\'':
		s, err := l.str()
		return token{kind: tokString, text: s, pos: start}, err
	case r == '"':
		end := strings.IndexByte(l.src[start+1:], '"')
		if end < 0 {
			return token{}, l.fail(start, "unterminated quoted property name")
		}
		name := l.src[start+1 : start+1+end]
		if name == "" || strings.IndexFunc(name, unicode.IsControl) >= 0 {
			return token{}, l.fail(start, "invalid quoted property name")
		}
		l.pos = start + end + 2
		return token{kind: tokQuoted, text: name, pos: start}, nil
	case '0' <= r && r <= '9' || r == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		return l.number()
	case identStart(r):
		l.pos += n
		for l.pos < len(l.src) {
			r, n := utf8.DecodeRuneInString(l.src[l.pos:])
			if !identPart(r) {
				break
			}
			l.pos += n
		}
		return token{kind: tokIdent, text: l.src[start:l.pos], pos: start}, nil
	}
	if l.pos+1 < len(l.src) {
		two := l.src[l.pos : l.pos+2]
		if two == "<>" || two == "<=" || two == ">=" {
			l.pos += 2
			return token{kind: tokPunct, text: two, pos: start}, nil
		}
	}
	if strings.ContainsRune("(),=<>+-*/%^", r) {
		l.pos++
		return token{kind: tokPunct, text: string(r), pos: start}, nil
	}
	return token{}, l.fail(start, "unexpected character %q", r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// str reads a character literal: a doubled quote and \' are quotes; \a \b \t \n \v \f \r
// are control characters; any other backslash is kept with the character
// after it, so that LIKE patterns see their escapes.
func (l *lexer) str() (string, error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\'' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'':
			b.WriteByte('\'')
			l.pos += 2
		case c == '\'':
			l.pos++
			return b.String(), nil
		case c == '\\' && l.pos+1 < len(l.src):
			e := l.src[l.pos+1]
			if ctl, ok := controlEscape(e); ok {
				b.WriteByte(ctl)
			} else if e == '\'' {
				b.WriteByte('\'')
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", l.fail(start, "unterminated character literal")
}

// controlEscape maps an escape letter of CQL2 text (\a \b \t \n \v \f \r)
// to its control character.
func controlEscape(e byte) (byte, bool) {
	if i := strings.IndexByte("abtnvfr", e); i >= 0 {
		return byte(7 + i), true
	}
	return 0, false
}

// number reads an unsigned numeric literal: digits with an optional fraction
// and an optional exponent.
func (l *lexer) number() (token, error) {
	start := l.pos
	digits := func() int {
		n := 0
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
			n++
		}
		return n
	}
	digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		digits()
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		save := l.pos
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if digits() == 0 {
			l.pos = save
		}
	}
	text := l.src[start:l.pos]
	if _, err := parseNumber(text); err != nil {
		return token{}, l.fail(start, "%v", err)
	}
	if l.pos < len(l.src) {
		if r, _ := utf8.DecodeRuneInString(l.src[l.pos:]); identStart(r) {
			return token{}, l.fail(l.pos, "unexpected %q after a number", r)
		}
	}
	return token{kind: tokNumber, text: text, pos: start}, nil
}

// parseNumber parses a numeric literal, rejecting values beyond float64.
func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("number %q out of range", s)
	}
	return f, nil
}
