package memory

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
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
	var prev int64
	for i := range rows {
		r := &rows[i]
		r.ID = prev + int64(d.uvarint())
		prev = r.ID
		r.DatasetID = datasetID
		r.SourceID = d.str()
		r.Name = d.str()
		r.Kind = kume.Kind(d.str())
		r.Type = kume.InstitutionType(d.str())
		r.NACE = d.str()
		r.Employees = kume.Employees{Known: d.bool(), Low: d.int(), High: d.int()}
		r.Founded = d.optTime()
		r.Closed = d.optTime()
		r.Address = kume.Address{Street: d.str(), Postcode: d.str(), District: d.str(), Province: d.str(), Country: d.str()}
		r.Lon = d.f64()
		r.Lat = d.f64()
		r.Precision = kume.Precision(d.str())
		r.GeocodeSource = d.str()
		r.Cell = d.u64()
		r.Attrs = d.strMap()
		if d.err != nil {
			return nil, d.err
		}
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

func encodeAnalysis(e *encoder, a *analysis) error {
	e.varint(a.run.Version)
	e.time(a.run.StartedAt)
	e.time(a.run.FinishedAt)
	e.bytes(a.run.Params)
	n := 0
	for _, set := range a.cells {
		n += len(set.stats)
	}
	e.uvarint(uint64(n))
	groups := slices.SortedFunc(maps.Keys(a.cells), func(x, y cellGroup) int {
		return cmp.Or(cmp.Compare(x.res, y.res), cmp.Compare(x.sector, y.sector))
	})
	for _, g := range groups {
		set := a.cells[g]
		for i, c := range set.stats {
			e.int(c.Res)
			e.u64(c.Cell)
			e.str(c.Sector)
			e.int(c.Firms)
			e.int(c.Closed)
			e.f64(c.Employees)
			e.f64(c.EmployeesEstimated)
			e.int(c.Imprecise)
			e.optFloat(c.LQ)
			e.optFloat(c.GiZ)
			e.optFloat(c.GiP)
			e.int(c.GiBin)
			e.bool(c.Suppressed)
			e.counts(c.Institutions)
			e.f64(set.centres[i][0])
			e.f64(set.centres[i][1])
		}
	}
	e.uvarint(uint64(len(a.clusters)))
	for _, c := range a.clusters {
		e.str(c.ID)
		e.str(c.Sector)
		e.int(c.Res)
		e.str(c.Name)
		e.uvarint(uint64(len(c.Cells)))
		for _, cell := range c.Cells {
			e.u64(cell)
		}
		e.multiPolygon(c.Geometry)
		e.int(c.Firms)
		e.f64(c.Employees)
		e.optFloat(c.LQ)
		e.f64(c.Share)
		e.int(c.Stars)
		e.bool(c.Suppressed)
		e.counts(c.InstitutionsInside)
		e.counts(c.InstitutionsNear)
		e.roles(c.RolesPresent)
		e.roles(c.RolesMissing)
		e.optFloat(c.Completeness)
		e.bytes(c.Profile)
	}
	e.uvarint(uint64(len(a.regions)))
	for _, r := range a.regions {
		e.str(r.Level)
		e.str(r.Code)
		e.str(r.Sector)
		e.int(r.Firms)
		e.f64(r.Employees)
		e.optFloat(r.LQ)
		e.optFloat(r.LQEmployed)
		e.int(r.Stars)
		e.bool(r.Strong)
		e.bool(r.Suppressed)
		e.int(r.Entries)
		e.int(r.Exits)
	}
	return nil
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

func decodeAnalysis(d *decoder) (*analysis, error) {
	r := &kume.AnalysisResult{}
	r.Run.Version = d.varint()
	r.Run.StartedAt = d.time()
	r.Run.FinishedAt = d.time()
	r.Run.Params = json.RawMessage(d.bytes())
	r.Cells = make([]kume.CellStat, d.count(30))
	centres := make([]orb.Point, len(r.Cells))
	for i := range r.Cells {
		r.Cells[i] = kume.CellStat{Res: d.int(), Cell: d.u64(), Sector: d.str(), Firms: d.int(), Closed: d.int(),
			Employees: d.f64(), EmployeesEstimated: d.f64(), Imprecise: d.int(), LQ: d.optFloat(),
			GiZ: d.optFloat(), GiP: d.optFloat(), GiBin: d.int(), Suppressed: d.bool(), Institutions: d.counts()}
		centres[i] = orb.Point{d.f64(), d.f64()}
	}
	r.Clusters = make([]kume.Cluster, d.count(10))
	for i := range r.Clusters {
		c := &r.Clusters[i]
		c.ID, c.Sector, c.Res, c.Name = d.str(), d.str(), d.int(), d.str()
		if n := d.count(8); n > 0 {
			c.Cells = make([]uint64, n)
			for k := range c.Cells {
				c.Cells[k] = d.u64()
			}
		}
		c.Geometry = d.multiPolygon()
		c.Firms, c.Employees, c.LQ, c.Share = d.int(), d.f64(), d.optFloat(), d.f64()
		c.Stars, c.Suppressed = d.int(), d.bool()
		c.InstitutionsInside, c.InstitutionsNear = d.counts(), d.counts()
		c.RolesPresent, c.RolesMissing = d.roles(), d.roles()
		c.Completeness = d.optFloat()
		c.Profile = json.RawMessage(d.bytes())
	}
	r.Regions = make([]kume.RegionStat, d.count(10))
	for i := range r.Regions {
		r.Regions[i] = kume.RegionStat{Level: d.str(), Code: d.str(), Sector: d.str(), Firms: d.int(),
			Employees: d.f64(), LQ: d.optFloat(), LQEmployed: d.optFloat(), Stars: d.int(), Strong: d.bool(),
			Suppressed: d.bool(), Entries: d.int(), Exits: d.int()}
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	a, err := newAnalysis(r, func(i int) orb.Point { return centres[i] })
	if err != nil {
		return nil, err
	}
	a.run.Version = r.Run.Version
	return a, nil
}
