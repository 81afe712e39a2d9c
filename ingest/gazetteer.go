package ingest

import (
	"context"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// Gazetteer geocodes offline by province and district name, from the regions
// loaded into the store. Each region is placed at an interior point of its
// boundary (InteriorPoint), never at the centre of its box. Names are matched
// with nace.Fold (case, Turkish İ/ı/I/i, ş, ğ, ç, ö, ü and punctuation do not
// matter), with a few old or short names of Turkish provinces (İçel = Mersin,
// Afyon = Afyonkarahisar, K.Maraş = Maraş = Kahramanmaraş, Urfa = Şanlıurfa,
// Antep = Gaziantep). The district "Merkez" is the central district of the
// province given with it.
type Gazetteer struct {
	provinces map[string][]*place // by key
	districts map[string][]*place // by key
}

type place struct {
	code, name, parent string
	lon, lat           float64
	precision          kume.Precision
}

// ProvinceLevels and DistrictLevels return the region levels the gazetteer
// reads as provinces and as districts.
func ProvinceLevels() []string { return []string{"province", "il", "state", "land", "region"} }

// DistrictLevels returns the region levels read as districts.
func DistrictLevels() []string { return []string{"district", "ilce", "county", "bezirk"} }

// NewGazetteer indexes the regions of the province and district levels.
func NewGazetteer(regions []kume.Region) *Gazetteer {
	g := &Gazetteer{provinces: map[string][]*place{}, districts: map[string][]*place{}}
	for i := range regions {
		r := &regions[i]
		var idx map[string][]*place
		var prec kume.Precision
		switch level := nace.Fold(r.Level); {
		case contains(ProvinceLevels(), level):
			idx, prec = g.provinces, kume.PrecisionProvince
		case contains(DistrictLevels(), level):
			idx, prec = g.districts, kume.PrecisionDistrict
		default:
			continue
		}
		pt, ok := InteriorPoint(r.Geometry)
		if !ok {
			continue
		}
		p := &place{code: r.Code, name: r.Name, parent: r.Parent, lon: pt[0], lat: pt[1], precision: prec}
		for _, k := range aliasesOf(placeKey(r.Name)) {
			idx[k] = append(idx[k], p)
		}
	}
	return g
}

// Len returns the number of indexed names.
func (g *Gazetteer) Len() int { return len(g.provinces) + len(g.districts) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// placeKey folds a name for matching and drops spaces and words that only say
// what kind of place it is ("Ankara İli", "Çankaya İlçesi").
func placeKey(s string) string {
	f := nace.Fold(s)
	for _, suffix := range []string{" ili", " ilcesi", " province", " merkezi"} {
		f = strings.TrimSuffix(f, suffix)
	}
	return strings.ReplaceAll(f, " ", "")
}

// aliasesOf returns key and the other names of the same place.
func aliasesOf(key string) []string {
	groups := [][]string{
		{"mersin", "icel"},
		{"afyonkarahisar", "afyon"},
		{"kahramanmaras", "kmaras", "maras"},
		{"sanliurfa", "urfa", "surfa"},
		{"gaziantep", "antep"},
		{"istanbul", "stanbul"},
	}
	for _, g := range groups {
		if contains(g, key) {
			return g
		}
	}
	return []string{key}
}

// Geocode implements Geocoder: the district when it is known (and unique, or
// unique within the given province), else the province.
func (g *Gazetteer) Geocode(ctx context.Context, q Query) (Result, bool, error) {
	if g == nil {
		return Result{}, false, nil
	}
	var prov *place
	if q.Province != "" {
		if ps := g.provinces[placeKey(q.Province)]; len(ps) == 1 {
			prov = ps[0]
		}
	}
	if q.District != "" {
		if d := g.district(placeKey(q.District), prov); d != nil {
			return Result{Lon: d.lon, Lat: d.lat, Precision: kume.PrecisionDistrict, Source: "gazetteer"}, true, nil
		}
	}
	if prov != nil {
		return Result{Lon: prov.lon, Lat: prov.lat, Precision: kume.PrecisionProvince, Source: "gazetteer"}, true, nil
	}
	return Result{}, false, nil
}

// district finds a district by key, within prov when given. "Merkez" needs
// the province: its district named Merkez, or named after the province.
func (g *Gazetteer) district(key string, prov *place) *place {
	if key != "merkez" && key != "merkezilce" {
		return g.lookup(key, prov)
	}
	if prov == nil {
		return nil
	}
	if d := g.lookup("merkez", prov); d != nil {
		return d
	}
	return g.lookup(placeKey(prov.name), prov)
}

// lookup returns the one district with the key (within prov when given), nil
// when there is none or several.
func (g *Gazetteer) lookup(key string, prov *place) *place {
	var found *place
	for _, d := range g.districts[key] {
		if prov != nil && CodeKey(d.parent) != CodeKey(prov.code) {
			continue
		}
		if found != nil {
			return nil
		}
		found = d
	}
	return found
}
