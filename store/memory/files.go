package memory

import (
	"maps"
	"slices"

	"github.com/kume-geo/kume"
)

// This file holds the body layout of each kind of file. Maps are written in
// sorted key order so that the same state always gives the same bytes.

func (e *encoder) strMap(m map[string]string) {
	e.uvarint(uint64(len(m)))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(k)
		e.str(m[k])
	}
}

func (d *decoder) strMap() map[string]string {
	n := d.count(2)
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

func (e *encoder) counts(m map[kume.InstitutionType]int) {
	e.uvarint(uint64(len(m)))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(string(k))
		e.int(m[k])
	}
}

func (d *decoder) counts() map[kume.InstitutionType]int {
	n := d.count(2)
	if n == 0 {
		return nil
	}
	m := make(map[kume.InstitutionType]int, n)
	for range n {
		k := kume.InstitutionType(d.str())
		m[k] = d.int()
	}
	return m
}

// encodeTable writes a dataset's establishments; half is called once half
// of the rows are out (crash tests stop the process there).
func encodeTable(e *encoder, datasetID int64, t *table, half func()) error {
	e.varint(datasetID)
	e.uvarint(uint64(len(t.rows)))
	var prev int64
	for i := range t.rows {
		r := &t.rows[i]
		e.uvarint(uint64(r.ID - prev))
		prev = r.ID
		e.str(r.SourceID)
		e.str(r.Name)
		e.str(string(r.Kind))
		e.str(string(r.Type))
		e.str(r.NACE)
		e.bool(r.Employees.Known)
		e.int(r.Employees.Low)
		e.int(r.Employees.High)
		e.optTime(r.Founded)
		e.optTime(r.Closed)
		e.str(r.Address.Street)
		e.str(r.Address.Postcode)
		e.str(r.Address.District)
		e.str(r.Address.Province)
		e.str(r.Address.Country)
		e.f64(r.Lon)
		e.f64(r.Lat)
		e.str(string(r.Precision))
		e.str(r.GeocodeSource)
		e.u64(r.Cell)
		e.strMap(r.Attrs)
		if half != nil && i == len(t.rows)/2 {
			if err := e.flush(); err != nil {
				return err
			}
			half()
		}
	}
	return nil
}

func decodeTable(d *decoder, datasetID int64) (*table, error) {
	if id := d.varint(); id != datasetID && d.err == nil {
		return nil, errCorrupt
	}
	rows := make([]kume.Establishment, d.count(40))
	if d.err != nil {
		return nil, d.err
	}
	if err := decodeRows(d, rows, datasetID); err != nil {
		return nil, err
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return newTable(rows), nil
}

func encodeRegions(e *encoder, rs *regionSet) error {
	e.uvarint(uint64(len(rs.list)))
	for _, r := range rs.list {
		e.str(r.Code)
		e.str(r.Name)
		e.str(r.Level)
		e.str(r.Parent)
		e.multiPolygon(r.Geometry)
		e.strMap(r.Attrs)
	}
	return nil
}

func decodeRegions(d *decoder) (*regionSet, error) {
	list := make([]kume.Region, d.count(6))
	for i := range list {
		list[i] = kume.Region{Code: d.str(), Name: d.str(), Level: d.str(), Parent: d.str(),
			Geometry: d.multiPolygon(), Attrs: d.strMap()}
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	return newRegionSet(list), nil
}

func (e *encoder) roles(rs []kume.Role) {
	e.uvarint(uint64(len(rs)))
	for _, r := range rs {
		e.str(string(r))
	}
}

func (d *decoder) roles() []kume.Role {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	rs := make([]kume.Role, n)
	for i := range rs {
		rs[i] = kume.Role(d.str())
	}
	return rs
}
