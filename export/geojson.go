package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// MaxDecimals is the number of decimals coordinates are rounded to (about 1 cm).
const MaxDecimals = 7

// Member is a top-level member of a FeatureCollection written after the
// features (members may come in any order in a JSON object).
type Member struct {
	Key   string
	Value any
}

// GeoJSONWriter streams an RFC 7946 FeatureCollection: Begin, then Write for
// each feature, then End with the top-level members. Coordinates are rounded
// to MaxDecimals, exterior rings come out counter-clockwise and holes
// clockwise, and no "crs" member is written.
type GeoJSONWriter struct {
	w   *bufio.Writer
	n   int
	err error
	buf []byte
}

// NewGeoJSONWriter returns a writer onto w.
func NewGeoJSONWriter(w io.Writer) *GeoJSONWriter {
	return &GeoJSONWriter{w: bufio.NewWriterSize(w, 32<<10)}
}

// Count returns the number of features written so far.
func (g *GeoJSONWriter) Count() int { return g.n }

// Begin writes the opening of the collection.
func (g *GeoJSONWriter) Begin() error {
	_, g.err = g.w.WriteString(`{"type":"FeatureCollection","features":[`)
	return g.err
}

// Write writes one feature.
func (g *GeoJSONWriter) Write(f *Feature) error {
	if g.err != nil {
		return g.err
	}
	b := g.buf[:0]
	if g.n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"type":"Feature"`...)
	if f.ID != nil {
		id, err := json.Marshal(f.ID)
		if err != nil {
			return fmt.Errorf("export: feature id: %w", err)
		}
		b = append(b, `,"id":`...)
		b = append(b, id...)
	}
	b = append(b, `,"geometry":`...)
	var err error
	if b, err = AppendGeometry(b, f.Geometry); err != nil {
		return err
	}
	b = append(b, `,"properties":`...)
	if b, err = appendProps(b, f.Props); err != nil {
		return err
	}
	b = append(b, '}')
	g.buf = b
	g.n++
	_, g.err = g.w.Write(b)
	return g.err
}

// End closes the feature array, writes the members and flushes.
func (g *GeoJSONWriter) End(members ...Member) error {
	if g.err != nil {
		return g.err
	}
	b := append(g.buf[:0], ']')
	for _, m := range members {
		k, err := json.Marshal(m.Key)
		if err != nil {
			return fmt.Errorf("export: member %s: %w", m.Key, err)
		}
		v, err := json.Marshal(m.Value)
		if err != nil {
			return fmt.Errorf("export: member %s: %w", m.Key, err)
		}
		b = append(b, ',')
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, v...)
	}
	b = append(b, "}\n"...)
	if _, err := g.w.Write(b); err != nil {
		g.err = err
		return err
	}
	g.err = g.w.Flush()
	return g.err
}

// Flush writes buffered output to the underlying writer.
func (g *GeoJSONWriter) Flush() error {
	if g.err != nil {
		return g.err
	}
	g.err = g.w.Flush()
	return g.err
}

func appendProps(b []byte, props []Prop) ([]byte, error) {
	b = append(b, '{')
	for i, p := range props {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(p.Key)
		if err != nil {
			return nil, fmt.Errorf("export: property %s: %w", p.Key, err)
		}
		b = append(b, k...)
		b = append(b, ':')
		v, err := json.Marshal(clean(p.Value))
		if err != nil {
			return nil, fmt.Errorf("export: property %s: %w", p.Key, err)
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// clean turns non-finite floats (and pointers to them) into null.
func clean(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case *float64:
		if x == nil || math.IsNaN(*x) || math.IsInf(*x, 0) {
			return nil
		}
		return *x
	}
	return v
}

// ErrGeometry is returned for a geometry that GeoJSON export does not support.
var ErrGeometry = errors.New("export: unsupported geometry")

// AppendGeometry appends g as a GeoJSON geometry (null for nil) with rounded
// coordinates and RFC 7946 ring orientation.
func AppendGeometry(b []byte, g orb.Geometry) ([]byte, error) {
	switch x := g.(type) {
	case nil:
		return append(b, "null"...), nil
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		return append(appendPoint(b, x), '}'), nil
	case orb.Polygon:
		if len(x) == 0 {
			return append(b, "null"...), nil
		}
		b = append(b, `{"type":"Polygon","coordinates":`...)
		return append(appendPolygon(b, x), '}'), nil
	case orb.MultiPolygon:
		if len(x) == 0 {
			return append(b, "null"...), nil
		}
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		return append(b, "]}"...), nil
	}
	return nil, fmt.Errorf("%w: %T", ErrGeometry, g)
}

// Round rounds a coordinate to MaxDecimals.
func Round(v float64) float64 {
	const f = 1e7
	return math.Round(v*f) / f
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, Round(p[0]), 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, Round(p[1]), 'f', -1, 64)
	return append(b, ']')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		ccw := i == 0 // exterior counter-clockwise, holes clockwise
		rev := (signedArea(r) > 0) != ccw
		closed := len(r) > 0 && r[0] == r[len(r)-1]
		n := len(r)
		b = append(b, '[')
		for j := 0; j < n; j++ {
			k := j
			if rev {
				k = n - 1 - j
			}
			if j > 0 {
				b = append(b, ',')
			}
			b = appendPoint(b, r[k])
		}
		if !closed && n > 0 {
			first := r[0]
			if rev {
				first = r[n-1]
			}
			b = append(b, ',')
			b = appendPoint(b, first)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// signedArea is twice the shoelace area: positive for counter-clockwise rings.
func signedArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	if n := len(r); n > 1 && r[0] != r[n-1] {
		s += r[n-1][0]*r[0][1] - r[0][0]*r[n-1][1]
	}
	return s
}

// MarshalFeature returns one feature as a GeoJSON Feature object with extra
// top-level members (such as OGC links).
func MarshalFeature(f *Feature, members ...Member) ([]byte, error) {
	var buf bytes.Buffer
	g := NewGeoJSONWriter(&buf)
	if err := g.Write(f); err != nil {
		return nil, err
	}
	if err := g.Flush(); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("}"))
	for _, m := range members {
		k, err := json.Marshal(m.Key)
		if err != nil {
			return nil, fmt.Errorf("export: member %s: %w", m.Key, err)
		}
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, fmt.Errorf("export: member %s: %w", m.Key, err)
		}
		b = append(append(append(append(b, ','), k...), ':'), v...)
	}
	return append(b, '}'), nil
}
