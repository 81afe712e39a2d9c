// Command gen makes the basemap's layer files from Natural Earth's 1:10m
// GeoJSON (public domain): land, lakes (with the European supplement), rivers
// and lake centre lines (with the European supplement), land borders of
// countries and populated places. Coordinates are rounded to 1e-4 degree and
// lines simplified by 0.0005 degree (about 50 m, below the data's own
// precision). Places in Türkiye take their Turkish name from the province
// boundaries of the demo when their name matches a province's.
//
//	go run ./basemap/gen -ne DIR -tr demo/data/tr-provinces.geojson.gz -o basemap/data
//
// DIR holds the ne_10m_*.json files named in docs/DATA.md.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/kume-geo/kume/basemap"
)

func main() {
	ne := flag.String("ne", "", "folder of Natural Earth 1:10m GeoJSON files")
	tr := flag.String("tr", "demo/data/tr-provinces.geojson.gz", "Türkiye's provinces (GeoJSON, gzip allowed) for Turkish place names")
	out := flag.String("o", "basemap/data", "output folder")
	flag.Parse()
	if err := run(*ne, *tr, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ne, tr, out string) error {
	read := func(name string) (*geojson.FeatureCollection, error) {
		b, err := os.ReadFile(filepath.Join(ne, name))
		if err != nil {
			return nil, err
		}
		return geojson.UnmarshalFeatureCollection(b)
	}
	trNames, err := provinceNames(tr)
	if err != nil {
		return err
	}
	layers := []struct {
		name  string
		files []string
		conv  func(*geojson.Feature) (basemap.Feature, bool)
	}{
		{"land", []string{"ne_10m_land.json"}, polygons(nil)},
		{"water", []string{"ne_10m_lakes.json", "ne_10m_lakes_europe.json"}, polygons([]string{"name", "min_zoom"})},
		{"rivers", []string{"ne_10m_rivers_lake_centerlines.json", "ne_10m_rivers_europe.json"}, lines([]string{"name", "min_zoom"})},
		{"boundaries", []string{"ne_10m_admin_0_boundary_lines_land.json"}, lines(nil)},
		{"places", []string{"ne_10m_populated_places.json"}, places(trNames)},
	}
	for _, l := range layers {
		var fs []basemap.Feature
		for _, file := range l.files {
			fc, err := read(file)
			if err != nil {
				return err
			}
			for _, f := range fc.Features {
				if f.Geometry == nil {
					continue
				}
				if bf, ok := l.conv(f); ok {
					fs = append(fs, bf)
				}
			}
		}
		w, err := os.Create(filepath.Join(out, l.name+".bin"))
		if err != nil {
			return err
		}
		if err := basemap.Encode(w, fs); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		fmt.Printf("%s: %d features\n", l.name, len(fs))
	}
	return nil
}

// tolerance is the simplification of lines and rings, in degrees.
const tolerance = 0.0005

func keep(f *geojson.Feature, keys []string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		switch v := f.Properties[k].(type) {
		case string:
			if v != "" {
				out[k] = v
			}
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return out
}

func polygons(keys []string) func(*geojson.Feature) (basemap.Feature, bool) {
	return func(f *geojson.Feature) (basemap.Feature, bool) {
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return basemap.Feature{}, false
		}
		mp = simplify.DouglasPeucker(tolerance).MultiPolygon(mp)
		var kept orb.MultiPolygon
		for _, p := range mp {
			if len(p) > 0 && len(p[0]) >= 4 {
				kept = append(kept, p)
			}
		}
		return basemap.Feature{Geometry: kept, Props: keep(f, keys)}, len(kept) > 0
	}
}

func lines(keys []string) func(*geojson.Feature) (basemap.Feature, bool) {
	return func(f *geojson.Feature) (basemap.Feature, bool) {
		var ml orb.MultiLineString
		switch g := f.Geometry.(type) {
		case orb.LineString:
			ml = orb.MultiLineString{g}
		case orb.MultiLineString:
			ml = g
		default:
			return basemap.Feature{}, false
		}
		ml = simplify.DouglasPeucker(tolerance).MultiLineString(ml)
		return basemap.Feature{Geometry: ml, Props: keep(f, keys)}, len(ml) > 0
	}
}

// places keeps a populated place's local name, English name, Turkish name
// (places in Türkiye), scale rank and population.
func places(trNames map[string]string) func(*geojson.Feature) (basemap.Feature, bool) {
	return func(f *geojson.Feature) (basemap.Feature, bool) {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return basemap.Feature{}, false
		}
		p := keep(f, []string{"NAME", "NAME_EN", "SCALERANK", "POP_MAX", "ADM0_A3"})
		props := map[string]string{"name": p["NAME"], "rank": p["SCALERANK"], "pop": p["POP_MAX"]}
		if en := p["NAME_EN"]; en != "" && en != p["NAME"] {
			props["name_en"] = en
		}
		if p["ADM0_A3"] == "TUR" {
			if n, ok := trNames[fold(p["NAME"])]; ok && n != p["NAME"] {
				props["name_tr"] = n
			}
		}
		return basemap.Feature{Geometry: pt, Props: props}, props["name"] != ""
	}
}

// provinceNames maps the folded name of each province to its name.
func provinceNames(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, ft := range fc.Features {
		if n, ok := ft.Properties["name"].(string); ok {
			out[fold(n)] = n
		}
	}
	return out, nil
}

// fold lowercases a Turkish or Latin name and drops its diacritics.
func fold(s string) string {
	r := strings.NewReplacer("İ", "i", "I", "i", "ı", "i", "Ş", "s", "ş", "s", "Ğ", "g", "ğ", "g",
		"Ç", "c", "ç", "c", "Ö", "o", "ö", "o", "Ü", "u", "ü", "u", "Â", "a", "â", "a", "Î", "i", "î", "i", "Û", "u", "û", "u")
	return strings.ToLower(r.Replace(s))
}
