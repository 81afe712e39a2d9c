package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// featureStream yields the features of a GeoJSON FeatureCollection one at a
// time (json.Decoder token streaming: the file is never held in memory), or of
// newline-delimited GeoJSON (one Feature per line; RFC 8142 record separators
// are accepted).
type featureStream struct {
	ndjson bool
	lim    Limits
	n      int // features (FeatureCollection) or lines (NDJSON) read

	// FeatureCollection
	cr  *capReader
	dec *json.Decoder
	// crs is the FeatureCollection's crs member, nil when absent.
	crs *CRS

	// NDJSON
	br   *bufio.Reader
	line []byte
	done bool
}

// capReader fails once more than limit bytes were read since the last mark.
type capReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errFeatureTooLarge = errors.New("feature too large")

func (c *capReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, errFeatureTooLarge
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newFeatureCollection reads the collection up to the start of its features
// array. A crs member (not allowed by RFC 7946, written by older tools) is
// honoured when it names a supported CRS and comes before the features.
func newFeatureCollection(r io.Reader, lim Limits) (*featureStream, error) {
	s := &featureStream{lim: lim, cr: &capReader{r: r, limit: int64(lim.MaxRecordBytes)}}
	s.dec = json.NewDecoder(s.cr)
	s.dec.UseNumber()
	if err := expectDelim(s.dec, '{'); err != nil {
		return nil, err
	}
	typ := ""
	for s.dec.More() {
		s.cr.n = 0
		tok, err := s.dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := s.dec.Decode(&typ); err != nil {
				return nil, jsonErr(err)
			}
			if typ != "FeatureCollection" {
				return nil, fmt.Errorf("GeoJSON type is %q; want a FeatureCollection (or newline-delimited Features)", typ)
			}
		case "crs":
			var raw json.RawMessage
			if err := s.dec.Decode(&raw); err != nil {
				return nil, jsonErr(err)
			}
			c, err := parseCRSMember(raw)
			if err != nil {
				return nil, err
			}
			s.crs = &c
		case "features":
			if err := expectDelim(s.dec, '['); err != nil {
				return nil, err
			}
			return s, nil
		default:
			var skip json.RawMessage
			if err := s.dec.Decode(&skip); err != nil {
				return nil, jsonErr(err)
			}
		}
	}
	return nil, errors.New("GeoJSON has no features array")
}

// parseCRSMember reads a GeoJSON 2008 named crs member.
func parseCRSMember(raw json.RawMessage) (CRS, error) {
	var m struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.Type != "name" {
		return CRS{}, errors.New("GeoJSON crs member is not a named CRS (RFC 7946 allows no crs member; give WGS84 longitude/latitude)")
	}
	c, err := ParseCRS(m.Properties.Name)
	if err != nil {
		return CRS{}, fmt.Errorf("GeoJSON crs member: %w", err)
	}
	return c, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonErr(err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("GeoJSON: want %q, got %v", d, tok)
	}
	return nil
}

func jsonErr(err error) error {
	switch {
	case errors.Is(err, errFeatureTooLarge):
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("GeoJSON ends unexpectedly")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return fmt.Errorf("invalid GeoJSON: %w", err)
}

// newNDJSON reads newline-delimited features.
func newNDJSON(r *bufio.Reader, lim Limits) *featureStream {
	return &featureStream{ndjson: true, lim: lim, br: r}
}

// next returns the next raw feature and its number (feature index or line).
// A *RowError reports a bad feature after which reading may go on; other errors
// end the stream. The returned bytes are valid until the next call.
func (s *featureStream) next() ([]byte, int, error) {
	if s.ndjson {
		return s.nextLine()
	}
	if !s.dec.More() {
		if _, err := s.dec.Token(); err != nil { // the closing ]
			return nil, 0, jsonErr(err)
		}
		return nil, 0, io.EOF
	}
	s.n++
	s.cr.n = 0
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		if errors.Is(err, errFeatureTooLarge) {
			return nil, s.n, fmt.Errorf("feature %d is larger than %d bytes", s.n, s.lim.MaxRecordBytes)
		}
		return nil, s.n, fmt.Errorf("feature %d: %w", s.n, jsonErr(err))
	}
	return raw, s.n, nil
}

// nextLine reads one NDJSON line of at most MaxRecordBytes; a longer line is
// skipped without being held and reported as a row error.
func (s *featureStream) nextLine() ([]byte, int, error) {
	for {
		if s.done {
			return nil, 0, io.EOF
		}
		s.n++
		s.line = s.line[:0]
		tooLong := false
		for {
			chunk, err := s.br.ReadSlice('\n')
			if !tooLong {
				s.line = append(s.line, chunk...)
				if len(s.line) > s.lim.MaxRecordBytes {
					tooLong, s.line = true, s.line[:0]
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				s.done = true
			} else if err != nil {
				return nil, s.n, err
			}
			break
		}
		if tooLong {
			return nil, s.n, &RowError{Line: s.n, Reason: fmt.Sprintf("line longer than %d bytes", s.lim.MaxRecordBytes)}
		}
		line := bytes.TrimSpace(bytes.TrimLeft(s.line, "\x1e"))
		if len(line) == 0 {
			continue
		}
		return line, s.n, nil
	}
}

// jsonDepth returns the maximal nesting of arrays and objects in raw JSON.
func jsonDepth(raw []byte) int {
	depth, max, inStr, esc := 0, 0, false, false
	for _, c := range raw {
		switch {
		case esc:
			esc = false
		case inStr:
			if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				max = depth
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return max
}

// rawFeature is the outline of a GeoJSON Feature.
type rawFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// parseFeature checks and splits a raw feature.
func parseFeature(raw []byte, lim Limits) (*rawFeature, error) {
	if d := jsonDepth(raw); d > lim.MaxDepth {
		return nil, fmt.Errorf("JSON nested %d levels deep (at most %d)", d, lim.MaxDepth)
	}
	var f rawFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("not a GeoJSON Feature: %v", err)
	}
	if f.Type != "Feature" {
		return nil, fmt.Errorf("GeoJSON type is %q; want Feature", f.Type)
	}
	return &f, nil
}

// properties flattens a feature's properties (and its id, as property "id"
// when properties have none) into sorted names and string values: numbers as
// written, booleans as true/false, null as missing, nested values as JSON.
func properties(f *rawFeature, lim Limits) ([]string, []string, error) {
	var props map[string]json.RawMessage
	if len(f.Properties) > 0 && string(f.Properties) != "null" {
		if err := json.Unmarshal(f.Properties, &props); err != nil {
			return nil, nil, errors.New("properties is not an object")
		}
	}
	if len(props) > lim.MaxFields {
		return nil, nil, fmt.Errorf("more than %d properties", lim.MaxFields)
	}
	if len(f.ID) > 0 && string(f.ID) != "null" {
		if _, ok := props["id"]; !ok {
			if props == nil {
				props = map[string]json.RawMessage{}
			}
			props["id"] = f.ID
		}
	}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	values := make([]string, len(names))
	for i, k := range names {
		v := bytes.TrimSpace(props[k])
		switch {
		case len(v) == 0 || string(v) == "null":
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, nil, fmt.Errorf("property %q: %v", k, err)
			}
			values[i] = s
		default:
			values[i] = string(v)
		}
	}
	return names, values, nil
}

// pointGeometry reads a Point geometry: nil for a null geometry, otherwise
// the coordinates or the reason they are not usable.
func pointGeometry(raw json.RawMessage) *pointGeom {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var g struct {
		Type        string            `json:"type"`
		Coordinates []json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		var t struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &t) == nil && t.Type != "" && t.Type != "Point" {
			return &pointGeom{err: fmt.Sprintf("geometry must be a Point, got %s", truncate(t.Type, 30))}
		}
		return &pointGeom{err: "coordinates must be an array of numbers"}
	}
	if g.Type != "Point" {
		return &pointGeom{err: fmt.Sprintf("geometry must be a Point, got %q", truncate(g.Type, 30))}
	}
	if len(g.Coordinates) == 0 {
		return nil // an empty point
	}
	if len(g.Coordinates) < 2 || len(g.Coordinates) > 3 {
		return &pointGeom{err: "a Point needs 2 or 3 coordinates"}
	}
	var xy [2]float64
	for i := range xy {
		c := bytes.TrimSpace(g.Coordinates[i])
		if len(c) == 0 || c[0] == '"' || c[0] == 'n' || c[0] == 't' || c[0] == 'f' || c[0] == '[' || c[0] == '{' {
			return &pointGeom{err: fmt.Sprintf("coordinate %s is not a number", truncate(string(c), 30))}
		}
		v, err := strconv.ParseFloat(string(c), 64)
		if err != nil {
			return &pointGeom{err: fmt.Sprintf("coordinate %s is not a number", truncate(string(c), 30))}
		}
		xy[i] = v
	}
	return &pointGeom{x: xy[0], y: xy[1]}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
