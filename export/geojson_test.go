package export

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestAppendGeometry(t *testing.T) {
	cw := orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}
	tests := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"nil", nil, "null"},
		{"point rounded", orb.Point{28.123456789, 41.000000049}, `{"type":"Point","coordinates":[28.1234568,41]}`},
		{"clockwise exterior reversed", orb.Polygon{cw},
			`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}`},
		{"open ring closed", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}}},
			`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`},
		{"hole made clockwise", orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}},
			`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[2,2],[2,1],[1,1]]]}`},
		{"empty multipolygon", orb.MultiPolygon{}, "null"},
	}
	for _, tc := range tests {
		got, err := AppendGeometry(nil, tc.g)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
	if _, err := AppendGeometry(nil, orb.LineString{{0, 0}, {1, 1}}); err == nil {
		t.Error("a line string was accepted")
	}
}

func TestGeoJSONWriterAndCSV(t *testing.T) {
	var b strings.Builder
	g := NewGeoJSONWriter(&b)
	f := &Feature{ID: 1, Geometry: orb.Point{1, 2}, Props: []Prop{{"name", "=cmd"}, {"lq", (*float64)(nil)}}}
	if err := g.Begin(); err != nil {
		t.Fatal(err)
	}
	_ = g.Write(f)
	_ = g.Write(f)
	if err := g.End(Member{"next", nil}); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{"name":"=cmd","lq":null}},{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{"name":"=cmd","lq":null}}],"next":null}` + "\n"
	if b.String() != want {
		t.Errorf("got %s", b.String())
	}
	var c strings.Builder
	cw := NewCSVWriter(&c, []string{"name", "lq"}, true)
	_ = cw.Header()
	_ = cw.Write(f)
	if err := cw.Flush(); err != nil || c.String() != "name,lq,lon,lat\n'=cmd,,1,2\n" {
		t.Errorf("csv %q %v", c.String(), err)
	}
}
