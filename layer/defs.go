package layer

import (
	"strconv"
	"time"

	"github.com/kume-geo/kume"
)

// CellID formats an H3 cell index as the usual 15-digit hexadecimal string.
func CellID(cell uint64) string { return strconv.FormatUint(cell, 16) }

// HexagonLayer defines the hexagons layer: H3 cell statistics of one sector
// key and resolution.
func HexagonLayer() *Layer[kume.CellStat] {
	type c = kume.CellStat
	return &Layer[kume.CellStat]{
		Name:        Hexagons,
		Description: "H3 cells of the sector with their statistics",
		Suppressed:  func(x *c) bool { return x.Suppressed },
		Fields: []Field[kume.CellStat]{
			{Property{"cell", String, Both, true, "H3 cell index, hexadecimal"},
				func(x *c) any { return CellID(x.Cell) }, func(x *c) any { return Cell(x.Cell) }},
			{Property{"res", Integer, Both, true, "H3 resolution"}, func(x *c) any { return x.Res }, nil},
			{Property{"sector", String, Feature, true, "sector key"}, func(x *c) any { return x.Sector }, nil},
			{Property{"firms", Integer, Both, false, "active firms"}, func(x *c) any { return x.Firms }, nil},
			{Property{"employees", Number, Both, false, "employees (exact counts plus band midpoints; tiles: to 0.1)"},
				func(x *c) any { return x.Employees }, func(x *c) any { return tenth(x.Employees) }},
			{Property{"employees_estimated", Number, Feature, false, "the part of employees from band midpoints"},
				func(x *c) any { return x.EmployeesEstimated }, nil},
			{Property{"imprecise", Integer, Feature, false, "firms placed coarser than the resolution allows"},
				func(x *c) any { return x.Imprecise }, nil},
			{Property{"lq", Number, Both, false, "location quotient"}, func(x *c) any { return x.LQ }, nil},
			{Property{"gi_z", Number, Both, false, "Getis-Ord Gi* z-score"}, func(x *c) any { return x.GiZ }, nil},
			{Property{"gi_p", Number, Both, false, "Gi* p-value"}, func(x *c) any { return x.GiP }, nil},
			{Property{"gi_bin", Integer, Both, false, "Gi* confidence bin, -3 … 3"}, func(x *c) any { return x.GiBin }, nil},
			{Property{"suppressed", Boolean, Both, true, "below the disclosure threshold"},
				func(x *c) any { return x.Suppressed }, nil},
			{Property{"share_imprecise", Number, Tile, false, "imprecise / firms"}, nil, func(x *c) any {
				if x.Firms <= 0 {
					return nil
				}
				return float64(x.Imprecise) / float64(x.Firms)
			}},
		},
	}
}

// ClusterLayer defines the clusters layer: cluster footprints.
func ClusterLayer() *Layer[kume.Cluster] {
	type c = kume.Cluster
	return &Layer[kume.Cluster]{
		Name:        Clusters,
		Description: "clusters: value chains (or traded NACE divisions) significantly specialised in a place (all sectors' clusters when no sector is given)",
		Suppressed:  func(x *c) bool { return x.Suppressed },
		Fields: []Field[kume.Cluster]{
			{Property{"id", String, Both, true, "cluster id, stable across runs for the same cells"}, func(x *c) any { return x.ID }, nil},
			{Property{"name", String, Both, true, "name in English: place – value chain"}, func(x *c) any { return x.Name }, nil},
			{Property{"name_tr", String, Both, true, "name in Turkish: yer – değer zinciri"}, func(x *c) any { return x.NameTR },
				func(x *c) any { return nonEmpty(x.NameTR) }},
			{Property{"place", String, Both, true, "the region(s) the cluster lies in"}, func(x *c) any { return x.Place },
				func(x *c) any { return nonEmpty(x.Place) }},
			{Property{"sector", String, Both, true, "sector key: a value chain vc:<id> or a NACE division"}, func(x *c) any { return x.Sector }, nil},
			{Property{"res", Integer, Both, true, "H3 resolution"}, func(x *c) any { return x.Res }, nil},
			{Property{"cells", Integer, Feature, true, "H3 cells of the footprint (its geometry)"},
				func(x *c) any { return len(x.Cells) }, nil},
			{Property{"method", String, Feature, true, "the test that delineated the cluster (docs/METHODS.md)"}, func(x *c) any { return x.Method }, nil},
			{Property{"firms", Integer, Both, false, "active firms of the sector key (every role of a value chain)"}, func(x *c) any { return x.Firms }, nil},
			{Property{"employees", Number, Both, false, "employees (tiles: to 0.1)"},
				func(x *c) any { return x.Employees }, func(x *c) any { return tenth(x.Employees) }},
			{Property{"focus_firms", Integer, Both, false, "firms of the tested activity (a chain's core roles, or the division)"},
				func(x *c) any { return x.FocusFirms }, nil},
			{Property{"expected", Number, Feature, false, "firms of the tested activity expected at the benchmark's share"},
				func(x *c) any { return x.Expected }, nil},
			{Property{"lq", Number, Both, false, "location quotient of the tested activity (focus_firms / expected)"}, func(x *c) any { return x.LQ }, nil},
			{Property{"p_value", Number, Both, false, "largest one-sided binomial p-value of the cells (each below the FDR threshold)"},
				func(x *c) any { return x.PValue }, nil},
			{Property{"llr", Number, Feature, false, "Kulldorff's Poisson log-likelihood ratio of the footprint"}, func(x *c) any { return x.LLR }, nil},
			{Property{"share", Number, Feature, false, "share of the sector's active firms"}, func(x *c) any { return x.Share }, nil},
			{Property{"stars", Integer, Both, false, "European Cluster Observatory stars, 0–3"}, func(x *c) any { return x.Stars }, nil},
			{Property{"strong", Boolean, Both, false, "U.S. Cluster Mapping Project strong cluster"}, func(x *c) any { return x.Strong }, nil},
			{Property{"institutions", Integer, Tile, false, "supporting institutions inside"}, nil, func(x *c) any {
				n := 0
				for _, k := range x.InstitutionsInside {
					n += k
				}
				return n
			}},
			{Property{"completeness", Number, Both, false, "value-chain completeness"}, func(x *c) any { return x.Completeness }, nil},
			{Property{"ecosystem", Number, Both, false, "share of the kinds of supporting actor within reach (university, research, vocational school, public agency, packaging, bank, chamber), of those assessed"},
				func(x *c) any {
					if x.Ecosystem == nil {
						return nil
					}
					return x.Ecosystem.Completeness
				}, nil},
			{Property{"composition", String, Feature, false, "NACE codes inside with their firms, most first"},
				func(x *c) any { return compositionText(x.Composition) }, nil},
			{Property{"suppressed", Boolean, Both, true, "below the disclosure threshold"}, func(x *c) any { return x.Suppressed }, nil},
		},
	}
}

// ClusterSectors returns the sector keys of a cluster filter for one key:
// nil, every key, for all firms (all firms together form no cluster, so the
// layer shows every sector's), else the key alone. Sectors.ClusterKeys
// widens a NACE code to the value chains that hold it.
func ClusterSectors(sector string) []string {
	if sector == kume.SectorAll {
		return nil
	}
	return []string{sector}
}

// compositionText writes a cluster's composition as "13.20 (40), 14.13 (12)".
func compositionText(items []kume.CompositionItem) any {
	if len(items) == 0 {
		return nil
	}
	b := make([]byte, 0, 16*len(items))
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, it.Code...)
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(it.Firms), 10)
		b = append(b, ')')
	}
	return string(b)
}

// RegionFeature is the source of a regions feature: a region and, when the
// analysis has them, its statistics for the sector.
type RegionFeature struct {
	Region *kume.Region
	Stat   *kume.RegionStat // nil without statistics
	Sector string
}

// RegionLayer defines the regions layer: boundaries with the sector's region
// statistics.
func RegionLayer() *Layer[RegionFeature] {
	type r = RegionFeature
	stat := func(get func(s *kume.RegionStat) any) func(x *r) any {
		return func(x *r) any {
			if x.Stat == nil {
				return nil
			}
			return get(x.Stat)
		}
	}
	return &Layer[RegionFeature]{
		Name:        Regions,
		Description: "administrative regions with the sector's region statistics",
		Suppressed:  func(x *r) bool { return x.Stat != nil && x.Stat.Suppressed },
		Fields: []Field[RegionFeature]{
			{Property{"code", String, Both, true, "code, unique within the level"}, func(x *r) any { return x.Region.Code }, nil},
			{Property{"name", String, Both, true, "name"}, func(x *r) any { return x.Region.Name }, nil},
			{Property{"level", String, Both, true, "level, e.g. province"}, func(x *r) any { return x.Region.Level }, nil},
			{Property{"parent", String, Both, true, "code of the enclosing region"}, func(x *r) any { return x.Region.Parent },
				func(x *r) any { return nonEmpty(x.Region.Parent) }},
			{Property{"sector", String, Feature, true, "sector key"}, func(x *r) any { return x.Sector }, nil},
			{Property{"firms", Integer, Both, false, "active firms"}, stat(func(s *kume.RegionStat) any { return s.Firms }), nil},
			{Property{"employees", Number, Both, false, "employees (tiles: to 0.1)"}, stat(func(s *kume.RegionStat) any { return s.Employees }),
				stat(func(s *kume.RegionStat) any { return tenth(s.Employees) })},
			{Property{"lq", Number, Both, false, "location quotient of firms"}, stat(func(s *kume.RegionStat) any { return s.LQ }), nil},
			{Property{"lq_employment", Number, Both, false, "location quotient of employment"},
				stat(func(s *kume.RegionStat) any { return s.LQEmployed }), nil},
			{Property{"stars", Integer, Both, false, "ECO stars, 0–3"}, stat(func(s *kume.RegionStat) any { return s.Stars }), nil},
			{Property{"strong", Boolean, Both, false, "U.S. CMP strong cluster"}, stat(func(s *kume.RegionStat) any { return s.Strong }), nil},
			{Property{"entries", Integer, Feature, false, "firms founded in the dynamism window"}, stat(func(s *kume.RegionStat) any { return s.Entries }), nil},
			{Property{"exits", Integer, Feature, false, "firms closed in the dynamism window"}, stat(func(s *kume.RegionStat) any { return s.Exits }), nil},
			{Property{"suppressed", Boolean, Both, true, "below the disclosure threshold"},
				func(x *r) any { return x.Stat != nil && x.Stat.Suppressed },
				stat(func(s *kume.RegionStat) any { return s.Suppressed })},
		},
	}
}

// EstablishmentLayer defines the establishments layer: firms and institutions
// as points (tiles: active firms of public datasets).
func EstablishmentLayer() *Layer[kume.Establishment] {
	return &Layer[kume.Establishment]{
		Name:        Establishments,
		Description: "active firms of public datasets; employees is a size band in tiles",
		Fields:      pointFields(false),
	}
}

// InstitutionLayer defines the institutions layer: supporting institutions
// as points.
func InstitutionLayer() *Layer[kume.Establishment] {
	return &Layer[kume.Establishment]{
		Name:        Institutions,
		Description: "supporting institutions of public datasets by type",
		Fields:      pointFields(true),
	}
}

// pointFields returns the fields of the establishments (inst false) or
// institutions layer: the same in exports, fewer in tiles.
func pointFields(inst bool) []Field[kume.Establishment] {
	type e = kume.Establishment
	firmTile, instTile := Feature, Feature
	if inst {
		instTile = Both
	} else {
		firmTile = Both
	}
	fs := []Field[kume.Establishment]{
		{Property{"id", Integer, Both, false, "establishment id"}, func(x *e) any { return x.ID }, nil},
		{Property{"dataset_id", Integer, Feature, false, "dataset id"}, func(x *e) any { return x.DatasetID }, nil},
		{Property{"source_id", String, Feature, false, "id in the source register"}, func(x *e) any { return x.SourceID }, nil},
		{Property{"name", String, Both, false, "name"}, func(x *e) any { return x.Name }, nil},
		{Property{"kind", String, Feature, false, "firm or institution"}, func(x *e) any { return string(x.Kind) }, nil},
		{Property{"type", String, instTile, false, "institution type"}, func(x *e) any { return string(x.Type) }, nil},
		{Property{"nace", String, firmTile, false, "NACE code"}, func(x *e) any { return x.NACE },
			func(x *e) any { return nonEmpty(x.NACE) }},
		{Property{"employees", Number, Feature, false, "head count or band midpoint"}, func(x *e) any {
			if v, ok := x.Employees.Estimate(); ok {
				return v
			}
			return nil
		}, nil},
	}
	if !inst {
		fs = append(fs, Field[kume.Establishment]{Property{"employees", String, Tile, true,
			"size band: a register's own band, or the EU size class of an exact count"}, nil,
			func(x *e) any { return nonEmpty(EmployeeBand(x.Employees)) }})
	}
	return append(fs,
		Field[kume.Establishment]{Property{"employees_low", Integer, Feature, false, "head count, or its band's lower bound"}, func(x *e) any {
			if !x.Employees.Known {
				return nil
			}
			return x.Employees.Low
		}, nil},
		Field[kume.Establishment]{Property{"employees_high", Integer, Feature, false, "head count, or its band's upper bound (null: open)"}, func(x *e) any {
			if !x.Employees.Known || x.Employees.High < 0 {
				return nil
			}
			return x.Employees.High
		}, nil},
		Field[kume.Establishment]{Property{"founded", String, Feature, false, "founding day"}, func(x *e) any { return date(x.Founded) }, nil},
		Field[kume.Establishment]{Property{"closed", String, Feature, false, "closing day"}, func(x *e) any { return date(x.Closed) }, nil},
		Field[kume.Establishment]{Property{"street", String, Feature, false, "street address"}, func(x *e) any { return x.Address.Street }, nil},
		Field[kume.Establishment]{Property{"postcode", String, Feature, false, "postcode"}, func(x *e) any { return x.Address.Postcode }, nil},
		Field[kume.Establishment]{Property{"district", String, Feature, false, "district"}, func(x *e) any { return x.Address.District }, nil},
		Field[kume.Establishment]{Property{"province", String, Feature, false, "province"}, func(x *e) any { return x.Address.Province }, nil},
		Field[kume.Establishment]{Property{"country", String, Feature, false, "country"}, func(x *e) any { return x.Address.Country }, nil},
		Field[kume.Establishment]{Property{"precision", String, Feature, false, "geocode precision"}, func(x *e) any { return string(x.Precision) }, nil},
		Field[kume.Establishment]{Property{"geocode_source", String, Feature, false, "where the position comes from"}, func(x *e) any { return x.GeocodeSource }, nil},
	)
}

// EmployeeBand returns a head count as a band: a register's own band as
// "low-high" or "low+", an exact count as its EU size class ("0", "1-9",
// "10-49", "50-249", "250+"), "" when unknown. Tiles publish only bands.
func EmployeeBand(e kume.Employees) string {
	switch {
	case !e.Known:
		return ""
	case !e.Exact() && e.High < 0:
		return strconv.Itoa(e.Low) + "+"
	case !e.Exact():
		return strconv.Itoa(e.Low) + "-" + strconv.Itoa(e.High)
	case e.Low <= 0:
		return "0"
	case e.Low < 10:
		return "1-9"
	case e.Low < 50:
		return "10-49"
	case e.Low < 250:
		return "50-249"
	}
	return "250+"
}

// nonEmpty returns s, or nil for "".
func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// date formats a day as YYYY-MM-DD (UTC), nil for none.
func date(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.DateOnly)
}
