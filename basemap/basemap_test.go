package basemap

import (
	"bytes"
	"compress/gzip"
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// tileAt returns the decoded, checked tile z/x/y holding lon, lat.
func tileAt(t *testing.T, b *Basemap, z int, lon, lat float64) map[string][]mvtcheck.Feature {
	t.Helper()
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	s := math.Sin(lat * math.Pi / 180)
	y := int((0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n)
	d, err := b.Tile(z, x, y)
	if err != nil {
		t.Fatal(err)
	}
	if d == nil {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(d))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if errs := mvtcheck.Check(raw); len(errs) > 0 {
		t.Fatalf("tile %d/%d/%d: %v", z, x, y, errs)
	}
	ls, err := mvtcheck.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]mvtcheck.Feature{}
	for _, l := range ls {
		out[l.Name] = l.Features
	}
	return out
}

func names(fs []mvtcheck.Feature, key string) map[string]bool {
	out := map[string]bool{}
	for _, f := range fs {
		if s, ok := f.Props[key].(string); ok {
			out[s] = true
		}
	}
	return out
}

func TestTiles(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	// The whole world: land, borders and the largest cities only.
	w := tileAt(t, b, 0, 0, 0)
	if len(w["land"]) == 0 || len(w["boundaries"]) == 0 {
		t.Errorf("world tile: %d land, %d border features", len(w["land"]), len(w["boundaries"]))
	}
	if p := names(w["places"], "name"); !p["Berlin"] || p["Potsdam"] {
		t.Errorf("world tile places %v: want Berlin (rank 1), not Potsdam (rank 7)", p)
	}
	// Berlin at zoom 8: on land, with the Spree and Potsdam.
	be := tileAt(t, b, 8, 13.4, 52.52)
	if len(be["land"]) == 0 {
		t.Error("no land under Berlin")
	}
	if r := names(be["rivers"], "name"); !r["Spree"] {
		t.Errorf("rivers at Berlin %v: want the Spree", r)
	}
	if p := names(be["places"], "name"); !p["Berlin"] {
		t.Errorf("places at Berlin %v", p)
	}
	// İstanbul carries its Turkish name; the Sea of Marmara is no land.
	ist := tileAt(t, b, 6, 28.97, 41.01)
	if p := names(ist["places"], "name_tr"); !p["İstanbul"] {
		t.Errorf("Turkish names near İstanbul %v: want İstanbul", p)
	}
	if p := names(ist["places"], "name_en"); len(p) == 0 {
		t.Log("no English names differing from local ones near İstanbul")
	}
	// The open Atlantic at zoom 8 is empty.
	if sea := tileAt(t, b, 8, -30, 40); sea != nil {
		t.Errorf("mid-Atlantic tile holds %v", sea)
	}
	if _, err := b.Tile(MaxZoom+1, 0, 0); err == nil {
		t.Error("a tile beyond MaxZoom was served")
	}
	if _, err := b.Tile(2, 4, 0); err == nil {
		t.Error("a tile outside the zoom's range was served")
	}
}

func TestEncodeDecode(t *testing.T) {
	in := []Feature{
		{Geometry: orb.Point{13.4049, 52.52}, Props: map[string]string{"name": "Berlin", "rank": "1"}},
		{Geometry: orb.MultiLineString{{{13.1, 52.4}, {13.2, 52.45}, {13.35, 52.5}}}, Props: map[string]string{"name": "Spree"}},
		{Geometry: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.1}, {0.8, 0.1}, {0.8, 0.7}, {0.2, 0.1}}}}, Props: map[string]string{}},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %v\nwant %v", out, in)
	}
}

// FuzzDecode feeds damaged layer files to the decoder: it must fail cleanly,
// never panic or allocate without bound.
func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	_ = Encode(&buf, []Feature{{Geometry: orb.Point{1, 2}, Props: map[string]string{"a": "b"}},
		{Geometry: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}})
	f.Add(buf.Bytes())
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte("KUMEBM1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Decode(bytes.NewReader(b))
		if err == nil {
			for _, f := range fs {
				if f.Geometry == nil {
					t.Fatal("a feature without geometry decoded without error")
				}
			}
		}
	})
}

func TestNearestPlace(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	// Kadıköy, across the Bosphorus from the old city: İstanbul, not a town.
	p, ok := b.NearestPlace(29.03, 40.99, 50)
	if !ok || p.NameTR != "İstanbul" || p.Km > 15 {
		t.Errorf("near Kadıköy: %+v, %v", p, ok)
	}
	if p, ok := b.NearestPlace(13.45, 52.48, 50); !ok || p.Name != "Berlin" {
		t.Errorf("near Neukölln: %+v, %v", p, ok)
	}
	if p, ok := b.NearestPlace(-30, 40, 50); ok {
		t.Errorf("mid-Atlantic: %+v", p)
	}
}
