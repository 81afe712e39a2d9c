package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
)

// emergingUndated describes the rules for firms without a founding date.
var emergingUndated = map[geo.Undated]string{
	geo.UndatedPresent: "firms without a founding date count as present from the first step (a closing date still ends them)",
	geo.UndatedOmit:    "firms without a founding date are left out",
}

// handleEmerging runs the emerging hot spot analysis of one sector key at
// one resolution over the stored firms, on demand, and answers GeoJSON:
// one feature per cell with a firm at some step or with a pattern, carrying
// its category, trend and per-step series, and top-level members stating
// the method, its parameters and the span. Answers are cached by data
// version and query.
func (s *Server) handleEmerging(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, emergingParamNames...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	q, err := s.parseEmerging(ctx, r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	public := IsPublic(r)
	version, err := s.store.DataVersion(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	key := emergingKey(public, q.view.access, q.version, p)
	if body, ok := s.api.emerging.get(version, key); ok {
		writeEmergingHeaders(w, "hit")
		_, _ = w.Write(body) // a client gone mid-answer needs no reply
		return
	}
	firms, latest, counts, err := s.readEmergingFirms(ctx, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.p.Steps, err = q.span(latest); err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range firms {
		f := &firms[i]
		if _, _, ok := q.p.Steps.Active(f.Founded, f.Closed, q.p.Undated); !ok {
			counts.Inactive++
		} else if int(f.MaxRes) < q.res {
			counts.Imprecise++
		} else {
			counts.Counted++
		}
	}
	res, err := geo.Emerging(ctx, firms, q.res, q.p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	firms = nil
	prov, err := export.NewProvenance(ctx, q.view, "emerging", public, q.filter.DatasetIDs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prov.Filters = map[string]string{}
	for k := range p.v {
		prov.Filters[k] = p.v.Get(k)
	}
	writeEmergingHeaders(w, "miss")
	tee := &cappedTee{w: w, limit: emergingCacheEntryMax}
	gw := export.NewGeoJSONWriter(tee)
	if err := gw.Begin(); err != nil {
		return
	}
	T := res.Params.Steps.N
	cats := map[geo.Category]int{}
	var f export.Feature
	for i, cell := range res.Cells {
		cats[res.Category[i]]++
		occupied := false
		for _, n := range res.Firms[i*T : (i+1)*T] {
			occupied = occupied || n > 0
		}
		if !occupied && res.Category[i] == geo.NoPattern {
			continue
		}
		emergingFeature(&f, res, i, cell, q.sector, public)
		if err := gw.Write(&f); err != nil {
			s.abortStream(r, err)
			return
		}
	}
	if err := gw.End(emergingMembers(res, q, prov, counts, cats)...); err != nil {
		s.abortStream(r, err)
		return
	}
	if tee.buf != nil {
		s.api.emerging.put(version, key, tee.buf)
	}
}

func writeEmergingHeaders(w http.ResponseWriter, cache string) {
	w.Header().Set("Content-Type", contentGeoJSON)
	w.Header().Set("Content-Disposition", `inline; filename="emerging.geojson"`)
	w.Header().Set("Kume-Cache", cache)
}

// emergingFeature fills f with cell i of the result. The counts of a bin
// that disclosure control suppresses are withheld from anonymous callers;
// the statistic, like Gi*, is not.
func emergingFeature(f *export.Feature, r *geo.EmergingResult, i int, cell uint64, sector string, public bool) {
	lo, hi := r.Series(i)
	tr := r.Trend(i)
	masked := func(b int) bool { return public && r.Suppressed != nil && r.Suppressed[b] }
	f.ID = export.CellID(cell)
	f.Geometry = export.CellPolygon(cell)
	f.Props = append(f.Props[:0],
		export.Prop{Key: "cell", Value: export.CellID(cell)}, export.Prop{Key: "res", Value: r.Res},
		export.Prop{Key: "sector", Value: sector},
		export.Prop{Key: "category", Value: string(r.Category[i])},
		export.Prop{Key: "category_code", Value: r.Category[i].Code()},
		export.Prop{Key: "trend_s", Value: tr.S}, export.Prop{Key: "trend_z", Value: tr.Z},
		export.Prop{Key: "trend_p", Value: tr.P}, export.Prop{Key: "tau", Value: tr.Tau},
		export.Prop{Key: "z", Value: numbers(lo, hi, func(b int) (float64, bool) { return r.Z[b], true })},
		export.Prop{Key: "bin", Value: numbers(lo, hi, func(b int) (float64, bool) { return float64(r.Bins[b]), true })},
		export.Prop{Key: "firms", Value: numbers(lo, hi, func(b int) (float64, bool) { return float64(r.Firms[b]), !masked(b) })},
		export.Prop{Key: "employees", Value: numbers(lo, hi, func(b int) (float64, bool) { return r.Employees[b], !masked(b) })},
		export.Prop{Key: "suppressed", Value: flags(lo, hi, func(b int) bool { return r.Suppressed != nil && r.Suppressed[b] })},
	)
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

// emergingStep is one time step of a response.
type emergingStep struct {
	Label string `json:"label"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// emergingMembers are the top-level members of a response.
func emergingMembers(r *geo.EmergingResult, q *emergingRequest, prov *export.Provenance, counts emergingFirms, cats map[geo.Category]int) []export.Member {
	ts := r.Params.Steps
	steps := make([]emergingStep, ts.N)
	for i := range steps {
		start, end := ts.Bounds(i)
		steps[i] = emergingStep{Label: ts.Label(i), Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly)}
	}
	thresholds := make([]*float64, 3)
	for i, t := range r.Thresholds {
		if t >= 0 {
			thresholds[i] = &t
		}
	}
	categories := map[string]int{}
	for _, c := range geo.Categories() {
		categories[string(c)] = cats[c]
	}
	measure := geo.MeasureFirms
	if r.Params.Employment {
		measure = geo.MeasureEmployment
	}
	return []export.Member{
		{Key: "kume", Value: prov},
		{Key: "method", Value: geo.EmergingMethod},
		{Key: "sector", Value: q.sector},
		{Key: "res", Value: r.Res},
		{Key: "k", Value: r.Params.K},
		{Key: "window", Value: r.Params.Window},
		{Key: "step", Value: ts.Step},
		{Key: "from", Value: steps[0].Label},
		{Key: "to", Value: steps[len(steps)-1].Label},
		{Key: "steps", Value: steps},
		{Key: "measure", Value: measure},
		{Key: "undated", Value: map[string]any{"rule": r.Params.Undated, "definition": emergingUndated[r.Params.Undated]}},
		{Key: "alpha", Value: r.Params.Alpha()},
		{Key: "fdr", Value: r.Params.FDR},
		{Key: "p_thresholds", Value: thresholds},
		{Key: "mean", Value: r.Mean},
		{Key: "sd", Value: r.SD},
		{Key: "n_cells", Value: len(r.Cells)},
		{Key: "n_bins", Value: r.NBins},
		{Key: "study_area", Value: map[string]any{"definition": geo.EmergingStudyArea, "k": r.Params.K}},
		{Key: "firms", Value: counts},
		{Key: "categories", Value: categories},
		{Key: "disclosure", Value: map[string]any{"k": r.Params.DisclosureK, "dominance_share": r.Params.DominanceShare}},
	}
}
