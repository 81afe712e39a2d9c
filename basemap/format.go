package basemap

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// The layer files are gzip-compressed sequences of features:
//
//	"KUMEBM1\n", uvarint feature count, then per feature:
//	  kind byte (1 point, 2 lines, 3 polygons)
//	  uvarint property count, then key and value strings (uvarint length, bytes)
//	  uvarint part count (lines: line strings; polygons: polygons), per part:
//	    polygons only: uvarint ring count, per ring a point run
//	    points and lines: one point run
//	a point run: uvarint point count, then zig-zag varint deltas of longitude
//	and latitude in units of 1/Scale degree.
const magic = "KUMEBM1\n"

// Scale is the number of coordinate units per degree (1e-4°, about 11 m).
const Scale = 1e4

// Feature kinds in a layer file.
const (
	kindPoint   = 1
	kindLines   = 2
	kindPolygon = 3
)

// limits a decoder enforces so that a damaged file cannot ask for absurd
// allocations.
const (
	maxCount  = 1 << 22
	maxString = 1 << 12
)

// Feature is one basemap feature: a point, a multi line string or a multi
// polygon in WGS84 lon/lat, with string properties.
type Feature struct {
	Geometry orb.Geometry
	Props    map[string]string
}

// Encode writes features in the layer file format (gzip-compressed).
func Encode(w io.Writer, fs []Feature) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	e := &encoder{w: bw}
	e.bytes([]byte(magic))
	e.uvarint(uint64(len(fs)))
	for _, f := range fs {
		e.feature(f)
	}
	if e.err != nil {
		return e.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

type encoder struct {
	w      *bufio.Writer
	buf    [binary.MaxVarintLen64]byte
	px, py int64
	err    error
}

func (e *encoder) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uvarint(v uint64) { e.bytes(e.buf[:binary.PutUvarint(e.buf[:], v)]) }
func (e *encoder) varint(v int64)   { e.bytes(e.buf[:binary.PutVarint(e.buf[:], v)]) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.bytes([]byte(s))
}

func (e *encoder) run(ps []orb.Point) {
	e.uvarint(uint64(len(ps)))
	for _, p := range ps {
		x, y := int64(math.Round(p[0]*Scale)), int64(math.Round(p[1]*Scale))
		e.varint(x - e.px)
		e.varint(y - e.py)
		e.px, e.py = x, y
	}
}

func (e *encoder) feature(f Feature) {
	switch g := f.Geometry.(type) {
	case orb.Point:
		e.bytes([]byte{kindPoint})
		e.props(f.Props)
		e.uvarint(1)
		e.run([]orb.Point{g})
	case orb.MultiLineString:
		e.bytes([]byte{kindLines})
		e.props(f.Props)
		e.uvarint(uint64(len(g)))
		for _, ls := range g {
			e.run(ls)
		}
	case orb.MultiPolygon:
		e.bytes([]byte{kindPolygon})
		e.props(f.Props)
		e.uvarint(uint64(len(g)))
		for _, pg := range g {
			e.uvarint(uint64(len(pg)))
			for _, r := range pg {
				e.run(r)
			}
		}
	default:
		if e.err == nil {
			e.err = fmt.Errorf("basemap: cannot encode %T", f.Geometry)
		}
	}
}

func (e *encoder) props(p map[string]string) {
	keys := sortedKeys(p)
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(p[k])
	}
}

// ErrFormat reports a layer file that is not in the expected format.
var ErrFormat = errors.New("basemap: malformed layer file")

// Decode reads a layer file written by Encode.
func Decode(r io.Reader) ([]Feature, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	d := &decoder{r: bufio.NewReader(zr)}
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(d.r, head); err != nil || string(head) != magic {
		return nil, fmt.Errorf("%w: no header", ErrFormat)
	}
	n := d.count()
	fs := make([]Feature, 0, min(n, 1<<12))
	for i := 0; i < n && d.err == nil; i++ {
		fs = append(fs, d.feature())
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, d.err)
	}
	return fs, nil
}

type decoder struct {
	r      *bufio.Reader
	px, py int64
	err    error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	if err != nil {
		d.err = err
	}
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(d.r)
	if err != nil {
		d.err = err
	}
	return v
}

func (d *decoder) count() int {
	v := d.uvarint()
	if v > maxCount {
		d.fail("count %d too large", v)
		return 0
	}
	return int(v)
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > maxString {
		d.fail("string of %d bytes", n)
		return ""
	}
	if d.err != nil {
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = err
		return ""
	}
	return string(b)
}

func (d *decoder) run() []orb.Point {
	n := d.count()
	ps := make([]orb.Point, 0, min(n, 1<<12))
	for i := 0; i < n && d.err == nil; i++ {
		d.px += d.varint()
		d.py += d.varint()
		lon, lat := float64(d.px)/Scale, float64(d.py)/Scale
		if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			d.fail("coordinate %v,%v out of range", lon, lat)
		}
		ps = append(ps, orb.Point{lon, lat})
	}
	return ps
}

func (d *decoder) feature() Feature {
	kind, err := d.r.ReadByte()
	if err != nil {
		d.err = err
		return Feature{}
	}
	f := Feature{Props: map[string]string{}}
	for i, n := 0, d.count(); i < n && d.err == nil; i++ {
		k := d.str()
		f.Props[k] = d.str()
	}
	parts := d.count()
	switch kind {
	case kindPoint:
		ps := d.run()
		if parts != 1 || len(ps) != 1 {
			d.fail("a point has %d parts of %d points", parts, len(ps))
			return f
		}
		f.Geometry = ps[0]
	case kindLines:
		ml := make(orb.MultiLineString, 0, min(parts, 1<<10))
		for i := 0; i < parts && d.err == nil; i++ {
			ml = append(ml, orb.LineString(d.run()))
		}
		f.Geometry = ml
	case kindPolygon:
		mp := make(orb.MultiPolygon, 0, min(parts, 1<<10))
		for i := 0; i < parts && d.err == nil; i++ {
			pg := make(orb.Polygon, 0, 1)
			for j, rings := 0, d.count(); j < rings && d.err == nil; j++ {
				pg = append(pg, orb.Ring(d.run()))
			}
			mp = append(mp, pg)
		}
		f.Geometry = mp
	default:
		d.fail("unknown feature kind %d", kind)
	}
	return f
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
