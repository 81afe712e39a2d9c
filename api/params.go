package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// maxText is the longest text a query parameter may carry.
const maxText = 200

// params is a request's query string, checked against the parameters a
// route accepts: unknown and repeated parameters are rejected up front.
type params struct {
	v url.Values
}

// invalid returns an EINVALID error about one parameter.
func invalid(name, format string, args ...any) error {
	return kume.Errorf(kume.EINVALID, "parameter %q: "+format, append([]any{name}, args...)...)
}

// parseParams parses r's query strictly: a malformed query string, a
// parameter the route does not accept or a parameter given twice is a 400
// that names the parameters.
func parseParams(r *http.Request, allowed ...string) (params, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return params{}, kume.Errorf(kume.EINVALID, "malformed query string")
	}
	var unknown, repeated []string
	for k, vals := range v {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, safeName(k))
		} else if len(vals) > 1 {
			repeated = append(repeated, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return params{}, kume.Errorf(kume.EINVALID, "unknown query parameter(s): %s (accepted: %s)",
			strings.Join(unknown, ", "), strings.Join(allowed, ", "))
	}
	if len(repeated) > 0 {
		sort.Strings(repeated)
		return params{}, kume.Errorf(kume.EINVALID, "query parameter(s) given more than once: %s", strings.Join(repeated, ", "))
	}
	return params{v: v}, nil
}

// safeName quotes a client-sent parameter name for an error message,
// shortening it and escaping control characters.
func safeName(k string) string {
	if len(k) > 40 {
		k = k[:40] + "…"
	}
	q := strconv.QuoteToASCII(k)
	return q
}

// has reports whether the parameter was given (even empty).
func (p params) has(name string) bool { _, ok := p.v[name]; return ok }

// text returns a parameter's text: valid UTF-8 without control characters
// and at most maxLen bytes.
func (p params) text(name string, maxLen int) (string, error) {
	s := p.v.Get(name)
	if len(s) > maxLen {
		return "", invalid(name, "longer than %d bytes", maxLen)
	}
	if !utf8.ValidString(s) {
		return "", invalid(name, "not valid UTF-8")
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return "", invalid(name, "contains a control character")
		}
	}
	return s, nil
}

// match returns a parameter that must match re (or be empty).
func (p params) match(name string, re *regexp.Regexp, what string) (string, error) {
	s, err := p.text(name, maxText)
	if err != nil {
		return "", err
	}
	if s != "" && !re.MatchString(s) {
		return "", invalid(name, "not %s", what)
	}
	return s, nil
}

var intRE = regexp.MustCompile(`^[+-]?[0-9]+$`)

// int returns an integer parameter in lo..hi, def when absent.
func (p params) int(name string, def, lo, hi int) (int, error) {
	if !p.has(name) {
		return def, nil
	}
	s := p.v.Get(name)
	if !intRE.MatchString(s) {
		return 0, invalid(name, "not an integer")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, invalid(name, "outside %d..%d", lo, hi)
	}
	return n, nil
}

// limit returns the page size: def when absent, at least 1, and clamped to
// max. Negative or non-numeric values are rejected.
func (p params) limit(def, max int) (int, error) {
	if !p.has("limit") {
		return def, nil
	}
	s := p.v.Get("limit")
	if !intRE.MatchString(s) {
		return 0, invalid("limit", "not an integer")
	}
	if strings.HasPrefix(s, "-") || strings.Trim(strings.TrimPrefix(s, "+"), "0") == "" {
		return 0, invalid("limit", "must be at least 1")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > max {
		return max, nil // beyond int range or the cap: clamped
	}
	return n, nil
}

// bool returns a boolean parameter ("true"/"false"/"1"/"0"), false when absent.
func (p params) bool(name string) (bool, error) {
	if !p.has(name) {
		return false, nil
	}
	switch p.v.Get(name) {
	case "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, invalid(name, "not true or false")
}

var floatRE = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseFloat parses a finite decimal number (no NaN, Inf or hex).
func parseFloat(s string) (float64, bool) {
	if len(s) > 64 || !floatRE.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// bbox parses "west,south,east,north" (or the six-number form with heights,
// which are ignored) strictly: finite numbers, longitudes in -180..180,
// latitudes in -90..90, south ≤ north. A box with west > east would cross
// the antimeridian; kume's data never does, so such a box is rejected.
func (p params) bbox(name string) (*orb.Bound, error) {
	if !p.has(name) {
		return nil, nil
	}
	s := p.v.Get(name)
	if len(s) > 400 {
		return nil, invalid(name, "too long")
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, invalid(name, "needs 4 numbers: west,south,east,north")
	}
	nums := make([]float64, len(parts))
	for i, x := range parts {
		f, ok := parseFloat(strings.TrimSpace(x))
		if !ok {
			return nil, invalid(name, "item %d is not a finite number", i+1)
		}
		nums[i] = f
	}
	if len(nums) == 6 {
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	w, so, e, n := nums[0], nums[1], nums[2], nums[3]
	switch {
	case w < -180 || w > 180 || e < -180 || e > 180:
		return nil, invalid(name, "longitudes must be within -180..180")
	case so < -90 || so > 90 || n < -90 || n > 90:
		return nil, invalid(name, "latitudes must be within -90..90")
	case so > n:
		return nil, invalid(name, "south is greater than north")
	case w > e:
		return nil, invalid(name, "west is greater than east (boxes crossing the antimeridian are not supported)")
	}
	return &orb.Bound{Min: orb.Point{w, so}, Max: orb.Point{e, n}}, nil
}

// cursor is the position of a page: an offset and, for establishments, the
// id after which the page starts.
type cursor struct {
	Offset int    `json:"o"`
	After  int64  `json:"a,omitempty"`
	Query  string `json:"q"` // fingerprint of the query the cursor belongs to
	// Matched carries numberMatched of a filtered query from page to page.
	Matched int `json:"m,omitempty"`
}

// fingerprint identifies a route and its filters (paging parameters left out)
// so that a cursor cannot be replayed against another query.
func fingerprint(route string, v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != "cursor" && k != "limit" && k != "f" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte(route))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(v.Get(k)))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// signCursor encodes c with an HMAC so that clients cannot forge positions.
func (s *Server) signCursor(c cursor) string {
	body, _ := json.Marshal(c) // a struct of numbers and a string always marshals
	mac := hmac.New(sha256.New, s.api.cursorKey)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(body) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

var errCursor = errors.New("bad cursor")

// cursor returns the page position in the "cursor" parameter (zero when
// absent). A cursor that was altered, or that belongs to another query, is
// rejected.
func (s *Server) cursor(p params, route string) (cursor, error) {
	tok := p.v.Get("cursor")
	if tok == "" {
		return cursor{}, nil
	}
	c, err := s.openCursor(tok)
	if err != nil || c.Query != fingerprint(route, p.v) || c.Offset < 0 || c.After < 0 {
		return cursor{}, invalid("cursor", "invalid or tampered with; restart from the first page")
	}
	return c, nil
}

func (s *Server) openCursor(tok string) (cursor, error) {
	b64, sig64, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 512 {
		return cursor{}, errCursor
	}
	body, err1 := base64.RawURLEncoding.DecodeString(b64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil {
		return cursor{}, errCursor
	}
	mac := hmac.New(sha256.New, s.api.cursorKey)
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)[:16]) {
		return cursor{}, errCursor
	}
	var c cursor
	if err := json.Unmarshal(body, &c); err != nil {
		return cursor{}, errCursor
	}
	return c, nil
}

// itoa formats an int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
