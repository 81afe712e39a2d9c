package memory

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// The analysis file (format version 4) holds the number of cell statistics,
// every cell statistic ordered by (resolution, sector, cell), then the run,
// the clusters, the region statistics and the index of the (resolution,
// sector) groups with its footer (see group_index.go). The cells come first
// so that a streamed save (see BeginAnalysis) writes the file front to back
// as they arrive, before the run's version is known; the index lets a reader
// decode one group at a time (see groupFile). The cells' centres are not
// stored: decoding computes them (cellCentres, on all cores), which costs
// less than writing, syncing and reading 16 bytes more per row. Version 2
// files had no index, version 1 files held the run first and a centre after
// each cell; both are still read, and decoded whole. Millions of cells go
// through appendCell, which builds each cell's bytes in one scratch buffer
// and hands them to the buffered writer in one call.

func encodeAnalysis(e *encoder, a *analysis) error {
	e.uvarint(uint64(a.rows()))
	scratch := make([]byte, 0, 256)
	var x groupIndex
	err := a.eachGroup(func(set *cellSet) error {
		for i := range set.stats {
			x.add(e.offset(), &set.stats[i])
			scratch = appendCell(scratch[:0], &set.stats[i])
			e.w.Write(scratch)
		}
		return nil
	})
	if err != nil {
		return err
	}
	cellsEnd := e.offset()
	encodeAnalysisTail(e, &a.run, a.clusters, a.regions)
	encodeGroupIndex(e, &x, cellsEnd)
	return nil
}

// encodeAnalysisTail writes what follows the cells: the run, the clusters and
// the region statistics, in the layout of the current format version.
func encodeAnalysisTail(e *encoder, run *kume.AnalysisRun, clusters []kume.Cluster, regions []kume.RegionStat) {
	encodeTail(e, analysisVersion, run, clusters, regions)
}

// encodeTail writes the tail in the layout of format version v (the fields
// of later versions left out), so that tests can write older files.
func encodeTail(e *encoder, v byte, run *kume.AnalysisRun, clusters []kume.Cluster, regions []kume.RegionStat) {
	e.varint(run.Version)
	e.time(run.StartedAt)
	e.time(run.FinishedAt)
	e.bytes(run.Params)
	e.uvarint(uint64(len(clusters)))
	for _, c := range clusters {
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
		if v < 4 {
			continue
		}
		e.str(c.NameTR)
		e.str(c.Place)
		e.str(c.Method)
		e.int(c.FocusFirms)
		e.f64(c.Expected)
		e.optFloat(c.PValue)
		e.f64(c.LLR)
		e.bool(c.Strong)
		e.bytes(mustJSON(c.Composition))
		e.bytes(mustJSON(c.Ecosystem))
	}
	e.uvarint(uint64(len(regions)))
	for _, r := range regions {
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
		if v >= 4 {
			e.int(r.Undated)
		}
	}
}

// mustJSON returns the JSON of v, a value of plain data that always
// marshals, or nil for a nil slice or pointer.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

// appendCell appends the encoding of one cell statistic, the same bytes the
// encoder's field methods would write one by one.
func appendCell(b []byte, c *kume.CellStat) []byte {
	b = binary.AppendVarint(b, int64(c.Res))
	b = binary.LittleEndian.AppendUint64(b, c.Cell)
	b = appendStr(b, c.Sector)
	b = binary.AppendVarint(b, int64(c.Firms))
	b = binary.AppendVarint(b, int64(c.Closed))
	b = appendF64(b, c.Employees)
	b = appendF64(b, c.EmployeesEstimated)
	b = binary.AppendVarint(b, int64(c.Imprecise))
	b = appendOptFloat(b, c.LQ)
	b = appendOptFloat(b, c.GiZ)
	b = appendOptFloat(b, c.GiP)
	b = binary.AppendVarint(b, int64(c.GiBin))
	b = appendBool(b, c.Suppressed)
	b = binary.AppendUvarint(b, uint64(len(c.Institutions)))
	if len(c.Institutions) > 0 {
		for _, k := range slices.Sorted(maps.Keys(c.Institutions)) {
			b = appendStr(b, string(k))
			b = binary.AppendVarint(b, int64(c.Institutions[k]))
		}
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendF64(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendOptFloat(b []byte, f *float64) []byte {
	if f == nil {
		return append(b, 0)
	}
	return appendF64(append(b, 1), *f)
}

// cloneKeys copies the keys of a decoded map out of the file's memory.
func cloneKeys(m map[kume.InstitutionType]int) map[kume.InstitutionType]int {
	if m == nil {
		return nil
	}
	out := make(map[kume.InstitutionType]int, len(m))
	for k, v := range m {
		out[kume.InstitutionType(strings.Clone(string(k)))] = v
	}
	return out
}

// cloneRoles copies decoded roles out of the file's memory.
func cloneRoles(rs []kume.Role) []kume.Role {
	for i, r := range rs {
		rs[i] = kume.Role(strings.Clone(string(r)))
	}
	return rs
}

// slabFloat reads an optional float into fs.
func (d *decoder) slabFloat(fs *floatSlab) *float64 {
	if !d.bool() {
		return nil
	}
	return fs.ptr(d.f64())
}

// interner copies decoded strings out of the file's memory, once each:
// sector keys, institution types and region codes are few.
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	v := strings.Clone(s)
	in[v] = v
	return v
}

// decodeCell reads one cell statistic written by appendCell into c, its LQ
// and Gi* values into fs. It returns the number of institution counts read.
func decodeCell(d *decoder, c *kume.CellStat, fs *floatSlab, in interner) int {
	c.Res, c.Cell, c.Sector, c.Firms, c.Closed = d.int(), d.u64(), in.get(d.str()), d.int(), d.int()
	c.Employees, c.EmployeesEstimated, c.Imprecise = d.f64(), d.f64(), d.int()
	c.LQ, c.GiZ, c.GiP = d.slabFloat(fs), d.slabFloat(fs), d.slabFloat(fs)
	c.GiBin, c.Suppressed = d.int(), d.bool()
	n := d.count(2)
	if n > 0 {
		c.Institutions = make(map[kume.InstitutionType]int, n)
		for range n {
			k := kume.InstitutionType(in.get(d.str()))
			c.Institutions[k] = d.int()
		}
	}
	return n
}

// decodeAnalysis decodes a whole analysis file, of any format version.
func decodeAnalysis(d *decoder) (*analysis, error) {
	r := &kume.AnalysisResult{}
	v1 := d.version == 1
	if v1 {
		r.Run = decodeRun(d)
	}
	// Decoded strings share the file's memory; those kept for good are
	// copied, so the file is not held for one sector name.
	in := interner{}
	r.Cells = make([]kume.CellStat, d.count(30))
	cellsStart := int64(headerLen + d.off)
	var centres []orb.Point
	if v1 {
		centres = make([]orb.Point, len(r.Cells))
	}
	var fs floatSlab
	for i := range r.Cells {
		decodeCell(d, &r.Cells[i], &fs, in)
		if v1 {
			centres[i] = orb.Point{d.f64(), d.f64()}
		}
	}
	if !v1 {
		r.Run = decodeRun(d)
	}
	decodeClustersRegions(d, r, in)
	var x groupIndex
	if d.version >= 3 {
		at := int64(headerLen + d.off)
		x = decodeGroupIndex(d)
		if footer := int64(d.u64()); footer != at && d.err == nil {
			return nil, fmt.Errorf("group index at %d, the footer says %d: %w", at, footer, errCorrupt)
		}
		if d.err == nil {
			if err := x.check(len(r.Cells), cellsStart, at); err != nil {
				return nil, err
			}
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	a, err := newAnalysis(r, centres)
	if err != nil {
		return nil, err
	}
	if d.version >= 3 {
		if len(x.spans) != len(a.cells) {
			return nil, fmt.Errorf("group index: %d groups, the cells form %d: %w", len(x.spans), len(a.cells), errCorrupt)
		}
		for _, sp := range x.spans {
			if set := a.cells[sp.group]; set == nil || len(set.stats) != sp.rows {
				return nil, fmt.Errorf("group index: group (resolution %d, sector %q) does not match the cells: %w",
					sp.group.res, sp.group.sector, errCorrupt)
			}
		}
	}
	a.run.Version = r.Run.Version
	return a, nil
}

// decodeClustersRegions reads the clusters and region statistics written by
// encodeAnalysisTail into r.
func decodeClustersRegions(d *decoder, r *kume.AnalysisResult, in interner) {
	r.Clusters = make([]kume.Cluster, d.count(10))
	for i := range r.Clusters {
		c := &r.Clusters[i]
		c.ID, c.Sector, c.Res, c.Name = strings.Clone(d.str()), in.get(d.str()), d.int(), strings.Clone(d.str())
		if n := d.count(8); n > 0 {
			c.Cells = make([]uint64, n)
			for k := range c.Cells {
				c.Cells[k] = d.u64()
			}
		}
		c.Geometry = d.multiPolygon()
		c.Firms, c.Employees, c.LQ, c.Share = d.int(), d.f64(), d.optFloat(), d.f64()
		c.Stars, c.Suppressed = d.int(), d.bool()
		c.InstitutionsInside, c.InstitutionsNear = cloneKeys(d.counts()), cloneKeys(d.counts())
		c.RolesPresent, c.RolesMissing = cloneRoles(d.roles()), cloneRoles(d.roles())
		c.Completeness = d.optFloat()
		c.Profile = json.RawMessage(d.bytes())
		if d.version >= 4 {
			c.NameTR, c.Place, c.Method = strings.Clone(d.str()), strings.Clone(d.str()), in.get(d.str())
			c.FocusFirms, c.Expected, c.PValue, c.LLR, c.Strong = d.int(), d.f64(), d.optFloat(), d.f64(), d.bool()
			if b := d.bytes(); len(b) > 0 && json.Unmarshal(b, &c.Composition) != nil {
				d.fail()
			}
			if b := d.bytes(); len(b) > 0 && json.Unmarshal(b, &c.Ecosystem) != nil {
				d.fail()
			}
		}
	}
	r.Regions = make([]kume.RegionStat, d.count(10))
	for i := range r.Regions {
		r.Regions[i] = kume.RegionStat{Level: in.get(d.str()), Code: in.get(d.str()), Sector: in.get(d.str()), Firms: d.int(),
			Employees: d.f64(), LQ: d.optFloat(), LQEmployed: d.optFloat(), Stars: d.int(), Strong: d.bool(),
			Suppressed: d.bool(), Entries: d.int(), Exits: d.int()}
		if d.version >= 4 {
			r.Regions[i].Undated = d.int()
		}
	}
}

// decodeRun reads the run written by encodeAnalysisTail.
func decodeRun(d *decoder) kume.AnalysisRun {
	var run kume.AnalysisRun
	run.Version = d.varint()
	run.StartedAt = d.time()
	run.FinishedAt = d.time()
	run.Params = json.RawMessage(d.bytes())
	return run
}
