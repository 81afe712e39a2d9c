package emerging

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// Bounds of one cube: its bins (study-area cells × time steps) for callers
// with a key and for anonymous ones (every tile is anonymous), and the steps
// a span has by default.
const (
	MaxBins          = 10_000_000
	AnonymousMaxBins = 2_000_000
	DefaultSteps     = 10
)

// Request is one analysis to run: its options, the sector key and the firms
// it reads.
type Request struct {
	Options
	// Sector is a parsed sector key (layer.Sectors.Parse); "" for all firms.
	Sector string
	// Datasets, when not empty, restricts the firms to these datasets (the
	// caller has checked that it may see them).
	Datasets []int64
	// BBox, when set, restricts the firms to a box.
	BBox *orb.Bound
	// Public gives an anonymous caller's view: firms of public datasets only,
	// counts of suppressed bins withheld, and the smaller bound on the bins.
	Public bool
	// View, when set, is the store as the caller sees it: the firms of the
	// datasets it may read, their provenance and the analysis whose
	// parameters it reads. ViewKey names what View shows (the caller's
	// access and analysis), for the answers kept; requests with equal keys
	// must see the same. A Public request reads the engine's store, as every
	// anonymous caller sees it, and shares its answers with the tiles.
	View    kume.Store
	ViewKey string
}

// source returns the store req reads: the caller's view, else the engine's
// (an anonymous caller's view is the engine's store read as Public asks).
func (e *Engine) source(req Request) kume.Store {
	if req.View != nil && !req.Public {
		return req.View
	}
	return e.store
}

// key is the cache key of a request: who may see what and the canonical
// query.
func (r Request) key() string {
	var b strings.Builder
	b.WriteString(strconv.FormatBool(r.Public))
	b.WriteString("\x00")
	if !r.Public {
		b.WriteString(r.ViewKey) // an anonymous caller's view is everyone's
	}
	b.WriteString("\x00")
	b.WriteString(r.Sector)
	b.WriteString("\x00")
	for _, d := range r.Datasets {
		b.WriteString(strconv.FormatInt(d, 10))
		b.WriteString(",")
	}
	b.WriteString("\x00")
	if r.BBox != nil {
		b.WriteString(bboxText(*r.BBox))
	}
	b.WriteString("\x00")
	b.WriteString(r.Values().Encode())
	return b.String()
}

func bboxText(b orb.Bound) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return f(b.Min[0]) + "," + f(b.Min[1]) + "," + f(b.Max[0]) + "," + f(b.Max[1])
}

// Filters returns the request as the filters of its provenance: the sector,
// datasets, box and the options that differ from the defaults.
func (r Request) Filters() map[string]string {
	out := map[string]string{}
	for k := range r.Values() {
		out[k] = r.Values().Get(k)
	}
	if r.Sector != "" {
		out["sector"] = r.Sector
	}
	if len(r.Datasets) > 0 {
		ids := make([]string, len(r.Datasets))
		for i, d := range r.Datasets {
			ids[i] = strconv.FormatInt(d, 10)
		}
		out["dataset"] = strings.Join(ids, ",")
	}
	if r.BBox != nil {
		out["bbox"] = bboxText(*r.BBox)
	}
	return out
}

// FirmCounts counts what happened to the firms a request read.
type FirmCounts struct {
	// Matched firms of the sector key, datasets and box; Undated among them
	// without a founding date.
	Matched int `json:"matched"`
	Undated int `json:"undated"`
	// Imprecise are left out at this resolution by their geocode precision;
	// Inactive are active at no step; Counted are in the cube; Unplaced have
	// no valid coordinates.
	Imprecise int `json:"imprecise"`
	Inactive  int `json:"inactive"`
	Counted   int `json:"counted"`
	Unplaced  int `json:"unplaced"`
}

// DateSpan is what the firms read say of one kind of date: how many have
// one, and the first and last (YYYY-MM-DD; "" when none has one).
type DateSpan struct {
	Count int    `json:"count"`
	First string `json:"first,omitempty"`
	Last  string `json:"last,omitempty"`
}

// Dates is what the firms read say of their dates: what the data holds, and
// so what it lacks.
type Dates struct {
	Founded DateSpan `json:"founded"`
	Closed  DateSpan `json:"closed"`
}

// analysisParams is what the analysis reads from the analysis run's
// parameters (nested under "params" as the analysis writes them, or at the
// top level).
type analysisParams struct {
	K                 *int                   `json:"k"`
	DisclosureK       *int                   `json:"disclosure_k"`
	DominanceShare    *float64               `json:"dominance_share"`
	MaxResByPrecision map[kume.Precision]int `json:"max_res_by_precision"`
}

// readAnalysisParams reads the parameters an emerging analysis takes from a
// run; absent ones take geo's defaults.
func readAnalysisParams(raw json.RawMessage) analysisParams {
	var p struct {
		analysisParams
		Nested *analysisParams `json:"params"`
	}
	_ = json.Unmarshal(raw, &p) // absent or foreign parameters leave the defaults
	a := p.analysisParams
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

// compute runs req over the store's firms.
func (e *Engine) compute(ctx context.Context, req Request, version int64) (*Answer, error) {
	var ap analysisParams
	st := e.source(req)
	run, err := st.LatestAnalysis(ctx)
	switch {
	case err == nil:
		ap = readAnalysisParams(run.Params)
	case kume.ErrorCode(err) == kume.ENOTFOUND:
		ap = readAnalysisParams(nil)
	default:
		return nil, err
	}
	p := geo.EmergingParams{K: req.K, Window: req.Window, FDR: req.FDR, Level: req.Level, Employment: req.Employment,
		Undated: req.Undated, DisclosureK: *ap.DisclosureK, DominanceShare: *ap.DominanceShare, MaxBins: MaxBins}
	if p.K == 0 {
		p.K = *ap.K
	}
	if req.Public {
		p.MaxBins = AnonymousMaxBins
	}
	f := kume.EstablishmentFilter{PublicOnly: req.Public, DatasetIDs: req.Datasets, BBox: req.BBox, Kind: kume.KindFirm, Lean: true}
	if req.Sector != "" {
		if f.NACEPrefixes, err = e.keys.Prefixes(ctx, req.Sector); err != nil {
			return nil, err
		}
	}
	firms, latest, counts, dates, err := e.readFirms(ctx, st, f, req.Res, ap)
	if err != nil {
		return nil, err
	}
	if p.Steps, err = span(req.Options, latest, e.now()); err != nil {
		return nil, err
	}
	for i := range firms {
		fm := &firms[i]
		if _, _, ok := p.Steps.Active(fm.Founded, fm.Closed, p.Undated); !ok {
			counts.Inactive++
		} else if int(fm.MaxRes) < req.Res {
			counts.Imprecise++
		} else {
			counts.Counted++
		}
	}
	res, err := geo.Emerging(ctx, firms, req.Res, p)
	if err != nil {
		return nil, err
	}
	firms = nil
	prov, err := export.NewProvenance(ctx, st, layer.Emerging, req.Public, req.Datasets)
	if err != nil {
		return nil, err
	}
	prov.Filters = req.Filters()
	return newAnswer(req, version, res, counts, dates, prov), nil
}

// readFirms streams the firms of f and returns them as the cube sees them,
// with the latest date among them, their counts and their dates.
func (e *Engine) readFirms(ctx context.Context, st kume.Store, f kume.EstablishmentFilter, res int, ap analysisParams) ([]geo.DatedFirm, geo.Day, FirmCounts, Dates, error) {
	var firms []geo.DatedFirm
	latest := geo.NoDay
	var n FirmCounts
	fs := dateAcc{first: geo.NoDay, last: geo.NoDay}
	cs := dateAcc{first: geo.NoDay, last: geo.NoDay}
	err := st.EachEstablishment(ctx, f, func(est *kume.Establishment) error {
		if n.Matched++; n.Matched%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cell := est.Cell
		if cell == 0 || !geo.ValidCell(cell) || geo.CellResolution(cell) < res {
			c, err := geo.CellOf(est.Lon, est.Lat, kume.BaseResolution)
			if err != nil {
				n.Unplaced++
				return nil
			}
			cell = c
		}
		fm := geo.DatedFirm{Cell: cell, MaxRes: int8(geo.MaxResFor(ap.MaxResByPrecision, est.Precision)),
			Founded: geo.DayOf(est.Founded), Closed: geo.DayOf(est.Closed)}
		fm.Employees, _ = est.Employees.Estimate()
		fm.ExactEmployees = est.Employees.Exact()
		latest = max(latest, fm.Founded, fm.Closed)
		if fm.Founded == geo.NoDay {
			n.Undated++
		}
		fs.add(fm.Founded)
		cs.add(fm.Closed)
		firms = append(firms, fm)
		return nil
	})
	return firms, latest, n, Dates{Founded: fs.span(), Closed: cs.span()}, err
}

// dateAcc accumulates the count and range of one kind of date.
type dateAcc struct {
	n           int
	first, last geo.Day
}

func (a *dateAcc) add(d geo.Day) {
	if d == geo.NoDay {
		return
	}
	if a.n == 0 || d < a.first {
		a.first = d
	}
	if a.n == 0 || d > a.last {
		a.last = d
	}
	a.n++
}

func (a *dateAcc) span() DateSpan {
	if a.n == 0 {
		return DateSpan{}
	}
	return DateSpan{Count: a.n, First: a.first.Time().Format(time.DateOnly), Last: a.last.Time().Format(time.DateOnly)}
}

// span resolves the time steps: From and To as given, or To the step holding
// the latest founding or closing date of the firms read (not after today; the
// step before the current one when no firm has a date), and From
// DefaultSteps − 1 steps before To.
func span(o Options, latest geo.Day, today time.Time) (geo.TimeSteps, error) {
	to := o.To
	if to == "" {
		t := today
		if latest != geo.NoDay && latest.Time().Before(today) {
			t = latest.Time()
		} else if latest == geo.NoDay {
			t = stepBack(o.Step, today, 1)
		}
		to = t.Format(time.DateOnly)
	}
	from := o.From
	if from == "" {
		_, last, err := geo.ParsePeriod(to)
		if err != nil {
			return geo.TimeSteps{}, invalid(ParamTo, "%v", err)
		}
		from = stepBack(o.Step, last, DefaultSteps-1).Format(time.DateOnly)
	}
	ts, err := geo.ParseSpan(o.Step, from, to)
	if err != nil {
		return ts, invalid(ParamFrom, "%v", err)
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

// sortedIndex returns the index of cell in the sorted cells, or −1.
func sortedIndex(cells []layer.EmergingCell, cell uint64) int {
	i, ok := slices.BinarySearchFunc(cells, cell, func(c layer.EmergingCell, x uint64) int {
		switch {
		case c.Cell < x:
			return -1
		case c.Cell > x:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return i
}
