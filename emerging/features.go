package emerging

import (
	"encoding/json"
	"strconv"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// UndatedRules describes the rules for firms without a founding date.
func UndatedRules() map[geo.Undated]string {
	return map[geo.Undated]string{
		geo.UndatedPresent: "firms without a founding date count as present from the first step (a closing date still ends them)",
		geo.UndatedOmit:    "firms without a founding date are left out",
	}
}

// Series fills f with feature i of the answer as GET /api/v1/emerging gives
// it: the cell's pattern and trend and, per time step, its z, bin, firms,
// employees and suppressed flag. The counts of a bin that disclosure control
// suppresses are null for an anonymous (public) caller; the statistics, like
// Gi*, are not.
func (a *Answer) Series(f *export.Feature, i int, public bool) {
	r, c, row := a.Result, &a.Cells[i], int(a.rows[i])
	lo, hi := r.Series(row)
	masked := func(b int) bool { return public && r.Suppressed != nil && r.Suppressed[b] }
	f.ID = export.CellID(c.Cell)
	f.Geometry = export.CellPolygon(c.Cell)
	f.Props = append(f.Props[:0],
		export.Prop{Key: "cell", Value: export.CellID(c.Cell)}, export.Prop{Key: "res", Value: c.Res},
		export.Prop{Key: "sector", Value: c.Sector},
		export.Prop{Key: "category", Value: c.Category},
		export.Prop{Key: "category_code", Value: c.Code},
		export.Prop{Key: "trend_s", Value: c.TrendS}, export.Prop{Key: "trend_z", Value: c.TrendZ},
		export.Prop{Key: "trend_p", Value: c.TrendP}, export.Prop{Key: "tau", Value: c.Tau},
		export.Prop{Key: "z", Value: numbers(lo, hi, func(b int) (float64, bool) { return r.Z[b], true })},
		export.Prop{Key: "bin", Value: numbers(lo, hi, func(b int) (float64, bool) { return float64(r.Bins[b]), true })},
		export.Prop{Key: "firms", Value: numbers(lo, hi, func(b int) (float64, bool) { return float64(r.Firms[b]), !masked(b) })},
		export.Prop{Key: "employees", Value: numbers(lo, hi, func(b int) (float64, bool) { return r.Employees[b], !masked(b) })},
		export.Prop{Key: "suppressed", Value: flags(lo, hi, func(b int) bool { return r.Suppressed != nil && r.Suppressed[b] })},
	)
}

// Feature fills f with feature i of the answer as the emerging layer's
// feature face defines it (layer.EmergingLayer): the exports' features, as
// the caller (public: anonymous) sees them.
func (a *Answer) Feature(f *export.Feature, l *layer.Layer[layer.EmergingCell], i int, public bool) {
	c := &a.Cells[i]
	f.ID = export.CellID(c.Cell)
	f.Geometry = export.CellPolygon(c.Cell)
	f.Props = f.Props[:0]
	l.Each(layer.Feature, public, c, func(p *layer.Property, v any) {
		f.Props = append(f.Props, export.Prop{Key: p.Name, Value: v})
	})
}

// numbers encodes the values of bins lo..hi−1 as a JSON array, null where
// val says no or the value is not finite.
func numbers(lo, hi int, val func(b int) (float64, bool)) json.RawMessage {
	out := make([]byte, 0, 8*(hi-lo)+2)
	out = append(out, '[')
	for b := lo; b < hi; b++ {
		if b > lo {
			out = append(out, ',')
		}
		v, ok := val(b)
		if !ok || v != v || v > 1e300 || v < -1e300 {
			out = append(out, "null"...)
			continue
		}
		out = strconv.AppendFloat(out, v, 'g', -1, 64)
	}
	return append(out, ']')
}

// flags encodes booleans of bins lo..hi−1 as a JSON array.
func flags(lo, hi int, val func(b int) bool) json.RawMessage {
	out := []byte{'['}
	for b := lo; b < hi; b++ {
		if b > lo {
			out = append(out, ',')
		}
		out = strconv.AppendBool(out, val(b))
	}
	return append(out, ']')
}

// Members are the top-level members of a GeoJSON answer besides its
// provenance ("kume"): the method, its parameters, the span, the study area,
// what happened to the firms and what dates they have, the categories and
// disclosure control.
func (a *Answer) Members() []export.Member {
	r := a.Result
	steps := a.Steps()
	thresholds := make([]*float64, 3)
	for i, t := range r.Thresholds {
		if t >= 0 {
			thresholds[i] = &t
		}
	}
	categories := map[string]int{}
	drawn := map[string]int{}
	for _, c := range geo.Categories() {
		categories[string(c)] = a.Categories[c]
		drawn[string(c)] = 0
	}
	for i := range a.Cells {
		drawn[a.Cells[i].Category]++
	}
	return []export.Member{
		{Key: "method", Value: geo.EmergingMethod},
		{Key: "sector", Value: a.Request.Sector},
		{Key: "res", Value: r.Res},
		{Key: "k", Value: r.Params.K},
		{Key: "window", Value: r.Params.Window},
		{Key: "step", Value: r.Params.Steps.Step},
		{Key: "from", Value: steps[0].Label},
		{Key: "to", Value: steps[len(steps)-1].Label},
		{Key: "steps", Value: steps},
		{Key: "measure", Value: a.Request.Measure()},
		{Key: "undated", Value: map[string]any{"rule": r.Params.Undated, "definition": UndatedRules()[r.Params.Undated]}},
		{Key: "alpha", Value: r.Params.Alpha()},
		{Key: "fdr", Value: r.Params.FDR},
		{Key: "p_thresholds", Value: thresholds},
		{Key: "mean", Value: r.Mean},
		{Key: "sd", Value: r.SD},
		{Key: "n_cells", Value: len(r.Cells)},
		{Key: "n_bins", Value: r.NBins},
		{Key: "n_features", Value: len(a.Cells)},
		{Key: "study_area", Value: map[string]any{"definition": geo.EmergingStudyArea, "k": r.Params.K}},
		{Key: "firms", Value: a.Firms},
		{Key: "dates", Value: a.Dates},
		{Key: "lacks", Value: a.Lacks()},
		{Key: "categories", Value: categories},
		{Key: "feature_categories", Value: drawn},
		{Key: "disclosure", Value: map[string]any{"k": r.Params.DisclosureK, "dominance_share": r.Params.DominanceShare}},
	}
}

// Export calls fn with the features of the answer from offset on, at most
// limit of them (0: all), as the emerging layer's feature face defines them
// and the caller (public: anonymous) sees them: the features of the GeoJSON
// and CSV exports of the HTTP API and of "kume export".
func (a *Answer) Export(public bool, offset, limit int, fn func(*export.Feature) error) (export.Page, error) {
	var pg export.Page
	l := layer.EmergingLayer()
	var f export.Feature
	for i := max(offset, 0); i < len(a.Cells); i++ {
		if limit > 0 && pg.Returned >= limit {
			pg.More = true
			break
		}
		a.Feature(&f, l, i, public)
		if err := fn(&f); err != nil {
			return pg, err
		}
		pg.Returned++
	}
	return pg, nil
}
