// Package basemap serves kume's offline basemap: land, lakes, rivers, country
// borders and populated places from Natural Earth (public domain), embedded in
// the binary and cut into Mapbox Vector Tiles on demand, so the web map shows
// where the data lie without any network. The layer files are made by
// basemap/gen from Natural Earth's GeoJSON (see docs/DATA.md).
package basemap

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

//go:embed data/*.bin
var data embed.FS

// MaxZoom is the deepest zoom the basemap is cut at; maps show deeper zooms
// by over-zooming its tiles (the data's precision is well below a tile unit
// there).
const MaxZoom = 8

// Attribution is the credit line of the basemap's data.
const Attribution = "Natural Earth (public domain)"

// LayerNames returns the layer names inside a basemap tile, bottom to top.
func LayerNames() []string { return []string{"land", "water", "rivers", "boundaries", "places"} }

// numeric reports whether a property is written to tiles as a number.
func numeric(key string) bool { return key == "rank" || key == "min_zoom" || key == "pop" }

// maxPiece is the most points of a piece of land polygon (see split).
const maxPiece = 2000

type feature struct {
	geom  orb.Geometry
	bound orb.Bound
	props map[string]any
	// minZoom is the first zoom the feature is drawn at.
	minZoom float64
}

// Basemap cuts the embedded basemap into vector tiles and keeps the most
// recent ones.
type Basemap struct {
	layers  map[string][]feature
	version string
	mu      sync.Mutex
	cache   map[maptile.Tile][]byte
}

// New decodes the embedded layer files.
func New() (*Basemap, error) {
	return load(data)
}

func load(fsys fs.FS) (*Basemap, error) {
	b := &Basemap{layers: map[string][]feature{}, cache: map[maptile.Tile][]byte{}}
	h := sha256.New()
	for _, name := range LayerNames() {
		raw, err := fs.ReadFile(fsys, "data/"+name+".bin")
		if err != nil {
			return nil, fmt.Errorf("basemap: %w", err)
		}
		h.Write(raw)
		fs, err := Decode(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("basemap: %s: %w", name, err)
		}
		b.layers[name] = prepare(name, fs)
	}
	b.version = hex.EncodeToString(h.Sum(nil))[:16]
	return b, nil
}

// Version identifies the embedded data (for entity tags).
func (b *Basemap) Version() string { return b.version }

// prepare indexes a layer's features; land polygons are cut into chunks.
func prepare(layer string, fs []Feature) []feature {
	out := make([]feature, 0, len(fs))
	for _, f := range fs {
		props := make(map[string]any, len(f.Props))
		for k, v := range f.Props {
			if numeric(k) {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					props[k] = x
				}
				continue
			}
			props[k] = v
		}
		mz, _ := props["min_zoom"].(float64)
		if layer == "places" {
			r, _ := props["rank"].(float64)
			mz = placeMinZoom(r)
		}
		mp, isPoly := f.Geometry.(orb.MultiPolygon)
		if !isPoly || layer != "land" {
			out = append(out, feature{geom: f.Geometry, bound: f.Geometry.Bound(), props: props, minZoom: mz})
			continue
		}
		for _, pg := range mp {
			for _, piece := range split(pg) {
				out = append(out, feature{geom: orb.MultiPolygon{piece}, bound: piece.Bound(), props: props, minZoom: mz})
			}
		}
	}
	return out
}

func countPoints(pg orb.Polygon) int {
	n := 0
	for _, r := range pg {
		n += len(r)
	}
	return n
}

// split cuts a large polygon in halves along its longer side until each piece
// has at most maxPiece points or spans under a degree, so that a tile clips
// only the pieces near it.
func split(pg orb.Polygon) []orb.Polygon {
	b := pg.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	if countPoints(pg) <= maxPiece || (w < 1 && h < 1) {
		return []orb.Polygon{pg}
	}
	lo, hi := b, b
	if w >= h {
		mid := (b.Min[0] + b.Max[0]) / 2
		lo.Max[0], hi.Min[0] = mid, mid
	} else {
		mid := (b.Min[1] + b.Max[1]) / 2
		lo.Max[1], hi.Min[1] = mid, mid
	}
	var out []orb.Polygon
	for _, half := range []orb.Bound{lo, hi} {
		if piece := clip.Polygon(half, pg.Clone()); len(piece) > 0 && len(piece[0]) >= 4 {
			out = append(out, split(piece)...)
		}
	}
	return out
}

// placeMinZoom is the first zoom a populated place of Natural Earth's scale
// rank r is drawn at: capitals and world cities first, towns last.
func placeMinZoom(r float64) float64 {
	switch {
	case r <= 1:
		return 0
	case r <= 2:
		return 3
	case r <= 3:
		return 4
	case r <= 5:
		return 5
	case r <= 7:
		return 6
	default:
		return 7
	}
}

// maxCached bounds the tiles kept; the cache starts over when full.
const maxCached = 4096

// Tile returns the gzip-compressed vector tile z/x/y, or nil when it holds
// nothing. z must be within 0..MaxZoom and x, y within the zoom's range.
func (b *Basemap) Tile(z, x, y int) ([]byte, error) {
	if z < 0 || z > MaxZoom || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return nil, fmt.Errorf("basemap: no tile %d/%d/%d (zoom 0–%d)", z, x, y, MaxZoom)
	}
	t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
	b.mu.Lock()
	if d, ok := b.cache[t]; ok {
		b.mu.Unlock()
		return d, nil
	}
	b.mu.Unlock()
	d, err := b.cut(t)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if len(b.cache) >= maxCached {
		b.cache = map[maptile.Tile][]byte{}
	}
	b.cache[t] = d
	b.mu.Unlock()
	return d, nil
}

// cut builds one tile from the features that reach it.
func (b *Basemap) cut(t maptile.Tile) ([]byte, error) {
	bound := t.Bound()
	bound = bound.Pad((bound.Max[0] - bound.Min[0]) / 16)
	z := float64(t.Z)
	clipBox := orb.Bound{Min: orb.Point{-extent / 16, -extent / 16}, Max: orb.Point{extent * 17 / 16, extent * 17 / 16}}
	dp := simplify.DouglasPeucker(1.0)
	var out []byte
	for _, name := range LayerNames() {
		var fs []tileFeature
		for i := range b.layers[name] {
			f := &b.layers[name][i]
			if f.minZoom > z || !f.bound.Intersects(bound) {
				continue
			}
			var geom []uint32
			kind := 0
			switch g := f.geom.(type) {
			case orb.Point:
				p := project(g, t)
				if !clipBox.Contains(p) {
					continue
				}
				kind, geom = geomPoint, encodePoint(p)
			case orb.MultiLineString:
				ml := orb.MultiLineString{}
				for _, ls := range g {
					ml = append(ml, projectAll(ls, t))
				}
				ml = dp.MultiLineString(clip.MultiLineString(clipBox, ml))
				kind, geom = geomLine, encodeLines(ml)
			case orb.MultiPolygon:
				mp := make(orb.MultiPolygon, 0, len(g))
				for _, pg := range g {
					tp := make(orb.Polygon, 0, len(pg))
					for _, r := range pg {
						tp = append(tp, orb.Ring(projectAll(r, t)))
					}
					mp = append(mp, tp)
				}
				mp = dp.MultiPolygon(clip.MultiPolygon(clipBox, mp))
				kind, geom = geomPolygon, encodePolygons(mp)
			}
			if len(geom) > 0 {
				fs = append(fs, tileFeature{kind: kind, geom: geom, props: f.props})
			}
		}
		if len(fs) > 0 {
			out = append(out, encodeLayer(name, fs)...)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(out); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// project places a lon/lat point in the coordinates of tile t (0..extent, y
// pointing down), by the spherical Mercator projection.
func project(p orb.Point, t maptile.Tile) orb.Point {
	n := float64(uint64(1) << t.Z)
	lat := math.Max(-85.0511287798, math.Min(85.0511287798, p[1]))
	x := (p[0] + 180) / 360 * n
	s := math.Sin(lat * math.Pi / 180)
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n
	return orb.Point{(x - float64(t.X)) * extent, (y - float64(t.Y)) * extent}
}

func projectAll(ps []orb.Point, t maptile.Tile) []orb.Point {
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		out[i] = project(p, t)
	}
	return out
}

// MaxZoom returns the deepest zoom Tile serves (the package's MaxZoom).
func (b *Basemap) MaxZoom() int { return MaxZoom }

// Place is a populated place of the basemap near a point.
type Place struct {
	Name   string  // local name
	NameEN string  // English name, when it differs
	NameTR string  // Turkish name, when it differs
	Km     float64 // distance from the point
}

// NearestPlace returns the populated place nearest to lon, lat within maxKm,
// preferring larger places: a place of scale rank r counts as if it were
// 1 + r/4 times as far.
func (b *Basemap) NearestPlace(lon, lat, maxKm float64) (Place, bool) {
	best, bestScore := Place{}, math.Inf(1)
	kx := 111.32 * math.Cos(lat*math.Pi/180)
	for i := range b.layers["places"] {
		f := &b.layers["places"][i]
		p, ok := f.geom.(orb.Point)
		if !ok {
			continue
		}
		dx, dy := (p[0]-lon)*kx, (p[1]-lat)*110.57
		km := math.Hypot(dx, dy)
		if km > maxKm {
			continue
		}
		r, _ := f.props["rank"].(float64)
		if score := km * (1 + r/4); score < bestScore {
			name, _ := f.props["name"].(string)
			en, _ := f.props["name_en"].(string)
			tr, _ := f.props["name_tr"].(string)
			best, bestScore = Place{Name: name, NameEN: en, NameTR: tr, Km: km}, score
		}
	}
	return best, bestScore < math.Inf(1)
}
