package ingest

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
)

func smallLimits() Limits {
	l := DefaultLimits()
	l.MaxRecordBytes, l.MaxFields, l.MaxDepth = 4096, 64, 16
	return l
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"id,lat,lon\na,1,2\n",
		"\ufeffa;b\r\n\"x;y\";\"q\"\"\"\r\n",
		"a\tb\rc\td\r",
		"a|b\n\"open\n",
		"\"a\"b,c\n,,\n\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := smallLimits()
		r, err := newCSVReader(bufio.NewReader(bytes.NewReader(data)), 0, lim)
		if err != nil {
			return
		}
		last := 0
		for i := 0; i < 10000; i++ {
			fields, line, err := r.next()
			if err == io.EOF {
				return
			}
			if line < last {
				t.Fatalf("line %d after %d", line, last)
			}
			last = line
			if _, ok := err.(*RowError); err != nil && !ok {
				return
			}
			n := 0
			for _, f := range fields {
				n += len(f)
			}
			if n > lim.MaxRecordBytes || len(fields) > lim.MaxFields {
				t.Fatalf("record of %d bytes, %d fields passed the limits", n, len(fields))
			}
		}
		t.Fatal("reader does not end")
	})
}

func FuzzMapper(f *testing.F) {
	f.Add("id,lat,lon,name", "nace=NACE KODU")
	f.Add("İL,İLÇE,ENLEM,BOYLAM,x,y,city,Bezirk", "")
	f.Add("a,a,a,,", "lat=a")
	f.Fuzz(func(t *testing.T, header, mapping string) {
		m, err := ParseMapping(strings.Split(mapping, ","))
		if err != nil {
			m = nil
		}
		mp, err := newMapper(m)
		if err != nil {
			return
		}
		h := strings.Split(header, ",")
		c := mp.resolve(h)
		seen := map[int]bool{}
		for _, i := range c.idx {
			if i >= len(h) {
				t.Fatalf("index %d beyond header", i)
			}
			if i >= 0 {
				if seen[i] {
					t.Fatalf("column %d mapped twice", i)
				}
				seen[i] = true
			}
		}
		if len(seen)+len(c.attr) != len(h) {
			t.Fatalf("%d mapped + %d attributes != %d columns", len(seen), len(c.attr), len(h))
		}
	})
}

func FuzzGeoJSONReader(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[29,41]},"properties":{"a":"b","n":1.5,"x":null,"o":{"k":[1]}}}]}`), false)
	f.Add([]byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[{"type":"Feature","geometry":null}]}`), false)
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":["1",2]},"properties":{}}`+"\n\x1e{}\n[[[[[[[["), true)
	f.Fuzz(func(t *testing.T, data []byte, nd bool) {
		lim := smallLimits()
		var s *featureStream
		if nd {
			s = newNDJSON(bufio.NewReader(bytes.NewReader(data)), lim)
		} else {
			var err error
			if s, err = newFeatureCollection(bytes.NewReader(data), lim); err != nil {
				return
			}
		}
		for i := 0; i < 10000; i++ {
			raw, _, err := s.next()
			if err == io.EOF {
				return
			}
			if _, ok := err.(*RowError); err != nil && !ok {
				return
			}
			if err != nil {
				continue
			}
			if len(raw) > lim.MaxRecordBytes+64<<10 {
				t.Fatalf("feature of %d bytes passed the limit", len(raw))
			}
			feat, err := parseFeature(raw, lim)
			if err != nil {
				continue
			}
			names, values, err := properties(feat, lim)
			if err == nil && len(names) != len(values) {
				t.Fatal("names and values differ in length")
			}
			if g := pointGeometry(feat.Geometry); g != nil && g.err == "" && (g.x != g.x || g.y != g.y) {
				t.Fatal("NaN coordinate")
			}
		}
		t.Fatal("stream does not end")
	})
}

// FuzzSettings feeds import options as an upload's query string would bring
// them: Apply either sets Options that withDefaults accepts or returns an
// EINVALID error.
func FuzzSettings(f *testing.F) {
	f.Add("kind", "firm", "map", "nace=NACE Kodu")
	f.Add("crs", "EPSG:2154", "encoding", "windows-1252")
	f.Add("mapping", "name: Firma\nnace: Kod", "on-error", "skip")
	f.Add("closed-at", "2023-04-30", "visibility", "public")
	f.Add("dry-run", "", "replace", "true")
	f.Add("format", "ndjson", "nope", "x")
	f.Add("mapping", "{\"lat\": \"y\", \"lon\": \"x\"}", "map", "geometry=")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		s := Settings{k1: {v1}}
		s[k2] = append(s[k2], v2)
		o := Options{Dataset: "d"}
		err := s.Apply(&o)
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("Apply(%q) = %v: not EINVALID", s, err)
			}
			return
		}
		if _, err := o.withDefaults(); err != nil {
			t.Fatalf("Apply(%q) accepted options that withDefaults refuses: %v", s, err)
		}
		if _, err := newMapper(o.Mapping); err != nil {
			t.Fatalf("Apply(%q) accepted a bad mapping: %v", s, err)
		}
		if o.CRS != "" {
			if _, err := ParseCRS(o.CRS); err != nil {
				t.Fatalf("Apply(%q) accepted CRS %q: %v", s, o.CRS, err)
			}
		}
	})
}
