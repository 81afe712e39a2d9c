package layer

// Emerging is the layer of an emerging hot spot analysis (package emerging):
// computed on demand from the firms' dates, not stored with the analysis, so
// it is served as vector tiles and exports but is no collection of the OGC API.
const Emerging = "emerging"

// EmergingCell is the source of an emerging feature: one H3 cell of an
// emerging hot spot analysis with its pattern over the span and its counts at
// the final step.
type EmergingCell struct {
	Cell   uint64
	Res    int
	Sector string
	// Category is the pattern's name (no_pattern, new_hot_spot, …) and Code
	// ArcGIS's number of it (1..8 hot, −1..−8 cold, 0 none).
	Category string
	Code     int
	// TrendS is the Mann-Kendall S of the cell's Gi* z-scores; TrendZ, TrendP
	// and Tau its z, two-sided p and Kendall's tau-b (nil when undefined).
	TrendS              int
	TrendZ, TrendP, Tau *float64
	// HotSteps and ColdSteps count the steps at which the cell is a
	// significant hot or cold spot at the analysis's confidence level.
	HotSteps, ColdSteps int
	// FinalZ and FinalBin are the Gi* z-score (nil when undefined) and bin
	// (−3..3) of the final step.
	FinalZ   *float64
	FinalBin int
	// Firms and Employees are the final step's active firms and their
	// employment; Suppressed reports whether disclosure control withholds
	// them from anonymous callers.
	Firms      int
	Employees  float64
	Suppressed bool
}

// EmergingLayer defines the emerging layer. Its aggregate is the cell's count
// at the final step: an anonymous caller sees the counts of a suppressed cell
// as null (left out of a tile). The pattern — category, trend, the steps'
// bins and the final z — is a statistic of the cell's neighbourhood over time
// and, like the Gi* of GET /api/v1/emerging, public: its properties are
// marked Identity, so that Withheld leaves them.
func EmergingLayer() *Layer[EmergingCell] {
	type e = EmergingCell
	return &Layer[EmergingCell]{
		Name:        Emerging,
		Description: "emerging hot spot analysis (ArcGIS Pro's 17 categories, the Mann-Kendall trend of each cell's Gi* z-scores) of the sector's firms over time",
		Suppressed:  func(x *e) bool { return x.Suppressed },
		Fields: []Field[EmergingCell]{
			{Property{"cell", String, Both, true, "H3 cell index, hexadecimal"},
				func(x *e) any { return CellID(x.Cell) }, func(x *e) any { return Cell(x.Cell) }},
			{Property{"res", Integer, Both, true, "H3 resolution"}, func(x *e) any { return x.Res }, nil},
			{Property{"sector", String, Feature, true, "sector key"}, func(x *e) any { return x.Sector }, nil},
			{Property{"category", String, Both, true, "pattern: new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating or historical hot_spot or cold_spot, or no_pattern"},
				func(x *e) any { return x.Category }, nil},
			{Property{"category_code", Integer, Both, true, "ArcGIS's CATEGORY number: 1..8 hot, -1..-8 cold, 0 no pattern"},
				func(x *e) any { return x.Code }, nil},
			{Property{"trend_s", Integer, Feature, true, "Mann-Kendall S of the cell's Gi* z-scores"}, func(x *e) any { return x.TrendS }, nil},
			{Property{"trend_z", Number, Both, true, "Mann-Kendall trend z"}, func(x *e) any { return x.TrendZ }, nil},
			{Property{"trend_p", Number, Both, true, "Mann-Kendall trend p-value, two-sided"}, func(x *e) any { return x.TrendP }, nil},
			{Property{"tau", Number, Both, true, "Kendall's tau-b of the z-scores over time"}, func(x *e) any { return x.Tau }, nil},
			{Property{"hot_steps", Integer, Feature, true, "time steps at which the cell is a significant hot spot"},
				func(x *e) any { return x.HotSteps }, nil},
			{Property{"cold_steps", Integer, Feature, true, "time steps at which the cell is a significant cold spot"},
				func(x *e) any { return x.ColdSteps }, nil},
			{Property{"final_z", Number, Feature, true, "Gi* z-score at the final step"}, func(x *e) any { return x.FinalZ }, nil},
			{Property{"final_bin", Integer, Both, true, "Gi* confidence bin at the final step, -3 … 3"},
				func(x *e) any { return x.FinalBin }, nil},
			{Property{"firms", Integer, Feature, false, "active firms at the end of the final step"}, func(x *e) any { return x.Firms }, nil},
			{Property{"employees", Number, Feature, false, "their employees (exact counts plus band midpoints)"},
				func(x *e) any { return x.Employees }, nil},
			{Property{"suppressed", Boolean, Both, true, "the final step's counts are below the disclosure threshold"},
				func(x *e) any { return x.Suppressed }, nil},
		},
	}
}
