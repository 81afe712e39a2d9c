package mvtcheck

import (
	"strings"
	"testing"
)

// pb builds protobuf bytes for the tests.
type pb []byte

func (b pb) varint(v uint64) pb {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
func (b pb) uint(num int, v uint64) pb { return b.varint(uint64(num << 3)).varint(v) }
func (b pb) bytes(num int, p []byte) pb {
	return append(b.varint(uint64(num<<3|2)).varint(uint64(len(p))), p...)
}
func (b pb) packed(num int, vs ...uint64) pb {
	var p pb
	for _, v := range vs {
		p = p.varint(v)
	}
	return b.bytes(num, p)
}

func zz(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

// square is a clockwise (positive in y-down coordinates) 10×10 ring.
var square = []uint64{9, zz(0), zz(0), 3<<3 | 2, zz(10), zz(0), zz(0), zz(10), zz(-10), zz(0), 15}

type layerSpec struct {
	name     string
	version  uint64
	keys     []string
	values   []string
	features []pb
}

func feat(id uint64, tags []uint64, typ uint64, geom []uint64) pb {
	f := pb{}.uint(1, id)
	if tags != nil {
		f = f.packed(2, tags...)
	}
	return f.uint(3, typ).packed(4, geom...)
}

func (l layerSpec) build() pb {
	b := pb{}.bytes(1, []byte(l.name))
	for _, f := range l.features {
		b = b.bytes(2, f)
	}
	for _, k := range l.keys {
		b = b.bytes(3, []byte(k))
	}
	for _, v := range l.values {
		b = b.bytes(4, pb{}.bytes(1, []byte(v)))
	}
	return b.uint(5, 4096).uint(15, l.version)
}

func tile(layers ...layerSpec) []byte {
	var t pb
	for _, l := range layers {
		t = t.bytes(3, l.build())
	}
	return t
}

func good() layerSpec {
	return layerSpec{name: "a", version: 2, keys: []string{"k"}, values: []string{"v"},
		features: []pb{feat(1, []uint64{0, 0}, 3, square)}}
}

func TestCheck(t *testing.T) {
	reversed := []uint64{9, zz(0), zz(0), 3<<3 | 2, zz(0), zz(10), zz(10), zz(0), zz(0), zz(-10), 15}
	tests := []struct {
		name string
		tile func() []byte
		want string // "" for a valid tile
	}{
		{"valid", func() []byte { return tile(good()) }, ""},
		{"gzip", func() []byte { return []byte{0x1f, 0x8b, 8, 0} }, "gzip"},
		{"version 1", func() []byte { l := good(); l.version = 1; return tile(l) }, "version 1"},
		{"duplicate layer", func() []byte { return tile(good(), good()) }, "duplicate layer name"},
		{"duplicate key", func() []byte { l := good(); l.keys = []string{"k", "k"}; return tile(l) }, "duplicate entries in keys"},
		{"duplicate value", func() []byte { l := good(); l.values = []string{"v", "v"}; return tile(l) }, "duplicate entries in values"},
		{"duplicate id", func() []byte {
			l := good()
			l.features = append(l.features, feat(1, nil, 3, square))
			return tile(l)
		}, "duplicate id"},
		{"tag out of range", func() []byte { l := good(); l.features = []pb{feat(1, []uint64{0, 5}, 3, square)}; return tile(l) }, "value index 5"},
		{"odd tags", func() []byte { l := good(); l.features = []pb{feat(1, []uint64{0}, 3, square)}; return tile(l) }, "odd tags"},
		{"negative exterior", func() []byte { l := good(); l.features = []pb{feat(1, nil, 3, reversed)}; return tile(l) }, "negative area"},
		{"zero-length segment", func() []byte {
			l := good()
			l.features = []pb{feat(1, nil, 3, []uint64{9, 0, 0, 3<<3 | 2, zz(10), 0, 0, 0, 0, zz(10), 15})}
			return tile(l)
		}, "zero-length"},
		{"repeated closing point", func() []byte {
			l := good()
			l.features = []pb{feat(1, nil, 3, []uint64{9, 0, 0, 3<<3 | 2, zz(10), 0, 0, zz(10), zz(-10), zz(-10), 15})}
			return tile(l)
		}, "repeats first"},
		{"unknown type", func() []byte { l := good(); l.features = []pb{feat(1, nil, 0, square)}; return tile(l) }, "geometry type 0"},
		{"empty layer", func() []byte { l := good(); l.features = nil; return tile(l) }, "empty layer"},
		{"truncated", func() []byte { return tile(good())[:10] }, "parse error"},
	}
	for _, tt := range tests {
		errs := Check(tt.tile())
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		got := strings.Join(msgs, "; ")
		if (tt.want == "") != (len(errs) == 0) || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(tile(good()))
	f.Fuzz(func(t *testing.T, b []byte) {
		Check(b)
		_, _ = Decode(b)
	})
}
