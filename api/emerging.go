package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// Bounds of GET /emerging: the bins (study-area cells × time steps) of one
// cube, for callers with a key and for anonymous ones.
const (
	emergingMaxBins       = 10_000_000
	anonymousEmergingBins = 2_000_000
	defaultEmergingSteps  = 10
)

func (s *Server) mountEmerging(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/emerging", s.handleEmerging)
}

// emergingParamNames are the parameters GET /emerging accepts.
var emergingParamNames = []string{"sector", "dataset", "bbox", "res", "k", "window", "step", "from", "to",
	"undated", "measure", "alpha", "fdr"}

// emergingRequest holds the validated parameters of GET /emerging; the span
// is resolved once the firms are read (from and to default to the data).
type emergingRequest struct {
	sector   string
	filter   kume.EstablishmentFilter
	res      int
	step     geo.Step
	from, to string
	p        geo.EmergingParams
	analysis emergingAnalysis
	// view is the store as the caller sees it; version is the analysis
	// whose parameters the request takes (0: none).
	view    *view
	version int64
}

// emergingAnalysis is what /emerging reads from the analysis run's
// parameters (nested under "params" as the analysis writes them, or at the
// top level).
type emergingAnalysis struct {
	K                 *int                   `json:"k"`
	DisclosureK       *int                   `json:"disclosure_k"`
	DominanceShare    *float64               `json:"dominance_share"`
	MaxResByPrecision map[kume.Precision]int `json:"max_res_by_precision"`
}

// readEmergingAnalysis reads the analysis parameters /emerging uses from a
// run's parameters; absent ones take geo's defaults.
func readEmergingAnalysis(raw json.RawMessage) emergingAnalysis {
	var p struct {
		emergingAnalysis
		Nested *emergingAnalysis `json:"params"`
	}
	_ = json.Unmarshal(raw, &p) // absent or foreign parameters leave the defaults
	a := p.emergingAnalysis
	if p.Nested != nil {
		a = *p.Nested
	}
	d := geo.DefaultParams()
	if a.K == nil || *a.K < 1 || *a.K > geo.MaxK {
		a.K = &d.K
	}
	if a.DisclosureK == nil || *a.DisclosureK < 1 {
		a.DisclosureK = &d.DisclosureK
	}
	if a.DominanceShare == nil || !(*a.DominanceShare > 0 && *a.DominanceShare <= 1) {
		a.DominanceShare = &d.DominanceShare
	}
	if a.MaxResByPrecision == nil {
		a.MaxResByPrecision = d.MaxResByPrecision
	}
	return a
}

// parseEmerging validates the parameters of GET /emerging.
func (s *Server) parseEmerging(ctx context.Context, r *http.Request, p params) (*emergingRequest, error) {
	q := &emergingRequest{view: s.view(r)}
	var err error
	if q.sector, err = s.sectorParam(p); err != nil {
		return nil, err
	}
	if q.filter, err = s.timelineFilter(ctx, r, p); err != nil {
		return nil, err
	}
	q.filter.Kind, q.filter.Lean = kume.KindFirm, true
	if q.res, err = p.int("res", layer.DefaultRes, 0, kume.BaseResolution); err != nil {
		return nil, err
	}
	run, err := q.view.LatestAnalysis(ctx)
	switch {
	case err == nil:
		q.analysis, q.version = readEmergingAnalysis(run.Params), run.Version
	case kume.ErrorCode(err) == kume.ENOTFOUND:
		q.analysis = readEmergingAnalysis(nil)
	default:
		return nil, err
	}
	ep := &q.p
	ep.DisclosureK, ep.DominanceShare = *q.analysis.DisclosureK, *q.analysis.DominanceShare
	if ep.K, err = p.int("k", *q.analysis.K, 1, geo.MaxK); err != nil {
		return nil, err
	}
	if ep.Window, err = p.int("window", 1, 0, geo.MaxWindow); err != nil {
		return nil, err
	}
	step, err := p.text("step", maxText)
	if err != nil {
		return nil, err
	}
	switch q.step = geo.Step(step); q.step {
	case "":
		q.step = geo.StepYear
	case geo.StepYear, geo.StepQuarter, geo.StepMonth:
	default:
		return nil, invalid("step", "not year, quarter or month")
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"from", &q.from}, {"to", &q.to}} {
		if *f.dst, err = p.text(f.name, maxText); err != nil {
			return nil, err
		}
		if _, _, perr := geo.ParsePeriod(*f.dst); *f.dst != "" && perr != nil {
			return nil, invalid(f.name, "%v", perr)
		}
	}
	undated, err := p.text("undated", maxText)
	if err != nil {
		return nil, err
	}
	switch ep.Undated = geo.Undated(undated); ep.Undated {
	case "":
		ep.Undated = geo.UndatedPresent
	case geo.UndatedPresent, geo.UndatedOmit:
	default:
		return nil, invalid("undated", "not present or omit")
	}
	switch m := p.v.Get("measure"); m {
	case "", geo.MeasureFirms:
	case geo.MeasureEmployment:
		ep.Employment = true
	default:
		return nil, invalid("measure", "not firms or employment")
	}
	ep.Level = 1
	if p.has("alpha") {
		a, ok := parseFloat(p.v.Get("alpha"))
		switch {
		case ok && a == 0.10:
			ep.Level = 1
		case ok && a == 0.05:
			ep.Level = 2
		case ok && a == 0.01:
			ep.Level = 3
		default:
			return nil, invalid("alpha", "not 0.10, 0.05 or 0.01")
		}
	}
	ep.FDR = true
	if p.has("fdr") {
		if ep.FDR, err = p.bool("fdr"); err != nil {
			return nil, err
		}
	}
	ep.MaxBins = emergingMaxBins
	if IsPublic(r) {
		ep.MaxBins = anonymousEmergingBins
	}
	return q, nil
}

// span resolves the time steps: from and to as given, or to the step
// holding the latest founding or closing date of the firms read (not after
// today; the step before the current one when no firm has a date), and from
// defaultEmergingSteps − 1 steps before to.
func (q *emergingRequest) span(latest geo.Day) (geo.TimeSteps, error) {
	today := time.Now().UTC()
	to := q.to
	if to == "" {
		t := today
		if latest != geo.NoDay && latest.Time().Before(today) {
			t = latest.Time()
		} else if latest == geo.NoDay {
			t = stepBack(q.step, today, 1)
		}
		to = t.Format(time.DateOnly)
	}
	from := q.from
	if from == "" {
		_, last, err := geo.ParsePeriod(to)
		if err != nil {
			return geo.TimeSteps{}, invalid("to", "%v", err)
		}
		from = stepBack(q.step, last, defaultEmergingSteps-1).Format(time.DateOnly)
	}
	ts, err := geo.ParseSpan(q.step, from, to)
	if err != nil {
		return ts, invalid("from", "%v", err)
	}
	return ts, nil
}

// stepBack returns the day n steps before t.
func stepBack(s geo.Step, t time.Time, n int) time.Time {
	switch s {
	case geo.StepQuarter:
		return t.AddDate(0, -3*n, 0)
	case geo.StepMonth:
		return time.Date(t.Year(), t.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	}
	return t.AddDate(-n, 0, 0)
}

// emergingFirms counts what happened to the firms a request read.
type emergingFirms struct {
	Matched   int `json:"matched"`
	Undated   int `json:"undated"`
	Imprecise int `json:"imprecise"`
	Inactive  int `json:"inactive"`
	Counted   int `json:"counted"`
	Unplaced  int `json:"unplaced"`
}

// readEmergingFirms streams the firms of the request and returns them as
// the cube sees them, with the latest date among them.
func (s *Server) readEmergingFirms(ctx context.Context, q *emergingRequest) ([]geo.DatedFirm, geo.Day, emergingFirms, error) {
	var firms []geo.DatedFirm
	latest := geo.NoDay
	var n emergingFirms
	err := q.view.EachEstablishment(ctx, q.filter, func(e *kume.Establishment) error {
		if n.Matched++; n.Matched%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cell := e.Cell
		if cell == 0 || !geo.ValidCell(cell) || geo.CellResolution(cell) < q.res {
			c, err := geo.CellOf(e.Lon, e.Lat, kume.BaseResolution)
			if err != nil {
				n.Unplaced++
				return nil
			}
			cell = c
		}
		f := geo.DatedFirm{Cell: cell, MaxRes: int8(geo.MaxResFor(q.analysis.MaxResByPrecision, e.Precision)),
			Founded: geo.DayOf(e.Founded), Closed: geo.DayOf(e.Closed)}
		f.Employees, _ = e.Employees.Estimate()
		f.ExactEmployees = e.Employees.Exact()
		latest = max(latest, f.Founded, f.Closed)
		if f.Founded == geo.NoDay {
			n.Undated++
		}
		firms = append(firms, f)
		return nil
	})
	return firms, latest, n, err
}
