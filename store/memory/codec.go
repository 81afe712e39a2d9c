package memory

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"time"

	"github.com/paulmach/orb"
)

// File framing. Every file the store writes is
//
//	magic "KUME" | kind byte | format version byte | body | CRC-32C of all before (4 bytes, little endian)
//
// The body is a sequence of fields: unsigned and signed varints, fixed
// little-endian float64 and uint64 values, and length-prefixed strings. A
// reader checks the checksum before it decodes anything, so a torn or
// corrupted file is an error, never a partial load.
const (
	magic         = "KUME"
	formatVersion = 1 // of every kind of file but the analysis
	// analysisVersion is the format of the analysis file: version 2 put the
	// cells first and left out their centres, version 3 adds an index of the
	// (resolution, sector) groups (see analysis_file.go), version 4 the
	// clusters' names, test, composition and ecosystem and the regions'
	// undated firms. Versions 1 to 3 are still read.
	analysisVersion = 4
	// manifestVersion is the format of the MANIFEST: version 2 adds the
	// keys' grants and the analysis of every scope with its run, where
	// version 1 named one analysis file. Version 1 is still read.
	manifestVersion = 2
	headerLen       = len(magic) + 2
	trailerLen      = 4
)

// fileVersion returns the format version written for a kind of file.
func fileVersion(kind byte) byte {
	switch kind {
	case kindAnalysis:
		return analysisVersion
	case kindManifest:
		return manifestVersion
	}
	return formatVersion
}

// checkHeader checks the header of a framed file of the given kind and
// size, and returns its format version.
func checkHeader(path string, head []byte, size int64, kind byte) (byte, error) {
	if size < int64(headerLen+trailerLen) || string(head[:len(magic)]) != magic {
		return 0, fmt.Errorf("%s is not a kume store file", path)
	}
	if head[len(magic)] != kind {
		return 0, fmt.Errorf("%s: file kind %q, want %q", path, head[len(magic)], kind)
	}
	v := head[len(magic)+1]
	if v != fileVersion(kind) && ((kind != kindAnalysis && kind != kindManifest) || v < 1 || v > fileVersion(kind)) {
		return 0, fmt.Errorf("%s: format version %d, this kume reads version %d", path, v, fileVersion(kind))
	}
	return v, nil
}

// File kinds.
const (
	kindManifest      byte = 'M'
	kindEstablishment byte = 'E'
	kindRegions       byte = 'R'
	kindAnalysis      byte = 'A'
	kindJob           byte = 'J'
)

// castagnoli returns the CRC-32C table (crc32 caches it).
func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// encoder writes one framed file through a buffer, hashing what it writes.
type encoder struct {
	w   *bufio.Writer
	crc hash.Hash32
	f   io.Writer
	out countingWriter // what the buffer has passed on
	buf [binary.MaxVarintLen64]byte
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

// Write writes p to the underlying writer and counts what it took.
func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newEncoder(f io.Writer, kind byte) *encoder {
	crc := crc32.New(castagnoli())
	e := &encoder{crc: crc, f: f, out: countingWriter{w: io.MultiWriter(f, crc)}}
	e.w = bufio.NewWriterSize(&e.out, 1<<20)
	e.w.WriteString(magic)
	e.w.WriteByte(kind)
	e.w.WriteByte(fileVersion(kind))
	return e
}

// finish flushes the body and appends the checksum.
func (e *encoder) finish() error {
	if err := e.w.Flush(); err != nil {
		return err
	}
	var sum [trailerLen]byte
	binary.LittleEndian.PutUint32(sum[:], e.crc.Sum32())
	_, err := e.f.Write(sum[:])
	return err
}

// flush writes the buffered bytes out (crash tests use it to tear a file).
func (e *encoder) flush() error { return e.w.Flush() }

// offset returns the file offset of the next byte written (the header
// included).
func (e *encoder) offset() int64 { return e.out.n + int64(e.w.Buffered()) }

func (e *encoder) uvarint(v uint64) { e.w.Write(binary.AppendUvarint(e.buf[:0], v)) }
func (e *encoder) varint(v int64)   { e.w.Write(binary.AppendVarint(e.buf[:0], v)) }
func (e *encoder) int(v int)        { e.varint(int64(v)) }
func (e *encoder) u64(v uint64)     { e.w.Write(binary.LittleEndian.AppendUint64(e.buf[:0], v)) }
func (e *encoder) f64(v float64)    { e.u64(math.Float64bits(v)) }

func (e *encoder) bool(v bool) {
	if v {
		e.w.WriteByte(1)
	} else {
		e.w.WriteByte(0)
	}
}

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.w.WriteString(s)
}

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.w.Write(b)
}

// time writes an instant as Unix seconds and nanoseconds; the zone is dropped
// (times read back are in UTC).
func (e *encoder) time(t time.Time) {
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

func (e *encoder) optTime(t *time.Time) {
	e.bool(t != nil)
	if t != nil {
		e.time(*t)
	}
}

func (e *encoder) optFloat(f *float64) {
	e.bool(f != nil)
	if f != nil {
		e.f64(*f)
	}
}

func (e *encoder) multiPolygon(mp orb.MultiPolygon) {
	e.uvarint(uint64(len(mp)))
	for _, p := range mp {
		e.uvarint(uint64(len(p)))
		for _, r := range p {
			e.uvarint(uint64(len(r)))
			for _, pt := range r {
				e.f64(pt[0])
				e.f64(pt[1])
			}
		}
	}
}

// errCorrupt marks a file whose content does not decode.
var errCorrupt = errors.New("corrupt or truncated data")

// decoder reads the body of one framed file held in a string, so that decoded
// strings share its memory instead of being allocated one by one.
type decoder struct {
	s       string
	off     int
	err     error
	version byte // format version of the file
}

// readFile reads and checks a framed file of the given kind and returns a
// decoder over its body.
func readFile(path string, kind byte) (*decoder, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return checkData(path, data, kind)
}

// checkData checks the header and checksum of a framed file's bytes and
// returns a decoder over its body.
func checkData(path string, data []byte, kind byte) (*decoder, error) {
	head := data
	if len(head) < headerLen {
		head = make([]byte, headerLen)
	}
	v, err := checkHeader(path, head, int64(len(data)), kind)
	if err != nil {
		return nil, err
	}
	body := data[:len(data)-trailerLen]
	if want := binary.LittleEndian.Uint32(data[len(body):]); crc32.Checksum(body, castagnoli()) != want {
		return nil, fmt.Errorf("%s: checksum mismatch: %w", path, errCorrupt)
	}
	return &decoder{s: string(body[headerLen:]), version: v}, nil
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.off = len(d.s)
}

// done reports an error unless the whole body was read without error.
func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.s) {
		d.err = fmt.Errorf("%d trailing bytes: %w", len(d.s)-d.off, errCorrupt)
	}
	return d.err
}

func (d *decoder) uvarint() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.off >= len(d.s) {
			d.fail()
			return 0
		}
		b := d.s[d.off]
		d.off++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	d.fail()
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (d *decoder) int() int { return int(d.varint()) }

// count reads a length and checks it against the bytes left, each element
// taking at least min bytes.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if n > uint64(len(d.s)-d.off)/uint64(max(minSize, 1)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) u64() uint64 {
	if len(d.s)-d.off < 8 {
		d.fail()
		return 0
	}
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(d.s[d.off+i])
	}
	d.off += 8
	return v
}

func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *decoder) bool() bool {
	if d.off >= len(d.s) {
		d.fail()
		return false
	}
	b := d.s[d.off]
	d.off++
	if b > 1 {
		d.fail()
	}
	return b == 1
}

func (d *decoder) str() string {
	n := d.count(1)
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) bytes() []byte {
	if s := d.str(); s != "" {
		return []byte(s)
	}
	return nil
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail()
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) optTime() *time.Time {
	if !d.bool() {
		return nil
	}
	t := d.time()
	return &t
}

func (d *decoder) optFloat() *float64 {
	if !d.bool() {
		return nil
	}
	f := d.f64()
	return &f
}

func (d *decoder) multiPolygon() orb.MultiPolygon {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	mp := make(orb.MultiPolygon, n)
	for i := range mp {
		mp[i] = make(orb.Polygon, d.count(1))
		for j := range mp[i] {
			r := make(orb.Ring, d.count(16))
			for k := range r {
				r[k] = orb.Point{d.f64(), d.f64()}
			}
			mp[i][j] = r
		}
	}
	return mp
}
