package ingest

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

func TestReadRegions(t *testing.T) {
	// Made-up shapes: a clockwise outer ring (to be rewound) with a
	// counter-clockwise hole, and a MultiPolygon.
	data := `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"name":"Ankara","number":6,"nuts":"TR510"},"geometry":{"type":"Polygon","coordinates":[
		[[32,39],[32,40],[33,40],[33,39],[32,39]],
		[[32.2,39.2],[32.8,39.2],[32.8,39.8],[32.2,39.8],[32.2,39.2]]]}},
	{"type":"Feature","id":"35","properties":{"name":"İzmir"},"geometry":{"type":"MultiPolygon","coordinates":[[[[26,38],[27,38],[27,39],[26,38]]]]}}]}`
	regs, err := ReadRegions(strings.NewReader(data), RegionOptions{Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 2 || regs[0].Code != "6" || regs[0].Name != "Ankara" || regs[0].Attrs["nuts"] != "TR510" || regs[1].Code != "35" {
		t.Fatalf("regions = %+v", regs)
	}
	poly := regs[0].Geometry[0]
	if poly[0].Orientation() != orb.CCW || poly[1].Orientation() != orb.CW {
		t.Errorf("winding: outer %v hole %v", poly[0].Orientation(), poly[1].Orientation())
	}
	g := NewGazetteer(regs)
	res, ok, _ := g.Geocode(t.Context(), Query{Province: "ANKARA"})
	// The box centre (32.5, 39.5) is in the hole; the point must not be.
	if !ok || (res.Lon > 32.2 && res.Lon < 32.8 && res.Lat > 39.2 && res.Lat < 39.8) {
		t.Errorf("Ankara placed at %v, %v (in the hole)", res.Lon, res.Lat)
	}

	for _, bad := range []struct{ data, want string }{
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}`, "Polygon or MultiPolygon"},
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "no name"},
		{`{"type":"FeatureCollection","features":[]}`, "no features"},
	} {
		_, err := ReadRegions(strings.NewReader(bad.data), RegionOptions{Level: "province"})
		if !strings.Contains(kume.ErrorMessage(err), bad.want) {
			t.Errorf("error %v; want %q", err, bad.want)
		}
	}
}
