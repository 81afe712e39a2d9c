package ingest

import (
	"context"

	"github.com/kume-geo/kume"
)

// Query is what a geocoder is asked: the address parts of a row.
type Query struct {
	Name     string
	Street   string
	Postcode string
	District string
	Province string
	Country  string
}

// queryOf returns the address of e as a query.
func queryOf(e *kume.Establishment) Query {
	a := e.Address
	return Query{Name: e.Name, Street: a.Street, Postcode: a.Postcode, District: a.District, Province: a.Province, Country: a.Country}
}

// Empty reports whether the query names no place at all.
func (q Query) Empty() bool {
	return q.Street == "" && q.Postcode == "" && q.District == "" && q.Province == ""
}

// Result is a geocoded position.
type Result struct {
	Lon, Lat  float64
	Precision kume.Precision
	// Source names the geocoder ("gazetteer", "nominatim").
	Source string
}

// Geocoder places an address. It returns false when it finds nothing; an
// error means it could not answer (a network failure), not "no match".
type Geocoder interface {
	Geocode(ctx context.Context, q Query) (Result, bool, error)
}

// Chain asks its geocoders in turn and returns the first match.
type Chain []Geocoder

// Geocode implements Geocoder.
func (c Chain) Geocode(ctx context.Context, q Query) (Result, bool, error) {
	for _, g := range c {
		if g == nil {
			continue
		}
		r, ok, err := g.Geocode(ctx, q)
		if err != nil || ok {
			return r, ok, err
		}
	}
	return Result{}, false, nil
}
