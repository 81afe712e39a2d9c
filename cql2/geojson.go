package cql2

import (
	"fmt"

	"github.com/paulmach/orb"
)

// geoJSON reads a GeoJSON geometry object (RFC 7946) of the JSON encoding.
func geoJSON(m map[string]any, path string, depth int) (orb.Geometry, *Error) {
	if depth > maxDepth {
		return nil, jsonErr(path, "geometry nested more than %d levels deep", maxDepth)
	}
	typ, _ := m["type"].(string)
	if typ == "GeometryCollection" {
		if err := members(m, path, "type", "geometries", "bbox?"); err != nil {
			return nil, err
		}
		var c orb.Collection
		err := jsonArrays(m["geometries"], path+".geometries", func(v any, p string) *Error {
			gm, ok := v.(map[string]any)
			if !ok || gm["type"] == nil {
				return jsonErr(p, "expected a GeoJSON geometry")
			}
			g, err := geoJSON(gm, p, depth+1)
			c = append(c, g)
			return err
		})
		return c, err
	}
	if err := members(m, path, "type", "coordinates", "bbox?"); err != nil {
		return nil, err
	}
	coords, cpath := m["coordinates"], path+".coordinates"
	switch typ {
	case "Point":
		return jsonPosition(coords, cpath)
	case "MultiPoint":
		pts, err := jsonPositions(coords, cpath)
		return orb.MultiPoint(pts), err
	case "LineString":
		return jsonLine(coords, cpath)
	case "MultiLineString":
		var ml orb.MultiLineString
		err := jsonArrays(coords, cpath, func(v any, p string) *Error {
			l, err := jsonLine(v, p)
			ml = append(ml, l)
			return err
		})
		return ml, err
	case "Polygon":
		return jsonPolygon(coords, cpath)
	case "MultiPolygon":
		var mp orb.MultiPolygon
		err := jsonArrays(coords, cpath, func(v any, p string) *Error {
			poly, err := jsonPolygon(v, p)
			mp = append(mp, poly)
			return err
		})
		return mp, err
	}
	return nil, jsonErr(path, "unknown GeoJSON geometry type %q", fmt.Sprint(m["type"]))
}

func jsonLine(v any, path string) (orb.LineString, *Error) {
	pts, err := jsonPositions(v, path)
	if err != nil {
		return nil, err
	}
	l := orb.LineString(pts)
	if err := checkLine(l); err != nil {
		return nil, jsonErr(path, "%s", err.Msg)
	}
	return l, nil
}

func jsonPolygon(v any, path string) (orb.Polygon, *Error) {
	var poly orb.Polygon
	err := jsonArrays(v, path, func(v any, p string) *Error {
		pts, err := jsonPositions(v, p)
		if err != nil {
			return err
		}
		r := orb.Ring(pts)
		if err := checkRing(r); err != nil {
			return jsonErr(p, "%s", err.Msg)
		}
		poly = append(poly, r)
		return nil
	})
	if err == nil && len(poly) == 0 {
		err = jsonErr(path, "a polygon needs at least one ring")
	}
	return poly, err
}
