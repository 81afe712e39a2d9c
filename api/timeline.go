package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
)

// MaxTimelinePeriods caps the periods of a timeline; longer histories keep
// their most recent periods (earlier entries and exits still count towards
// the active totals).
const MaxTimelinePeriods = 600

func (s *Server) mountTimeline(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/timeline", s.handleTimeline)
}

// TimelinePeriod is one month or year of a timeline.
type TimelinePeriod struct {
	// Period is "YYYY-MM" or "YYYY".
	Period string `json:"period"`
	Start  string `json:"start"` // first day, YYYY-MM-DD
	End    string `json:"end"`   // last day, YYYY-MM-DD
	// Entries counts the establishments founded in the period.
	Entries int `json:"entries"`
	// Exits counts the establishments closed in the period.
	Exits int `json:"exits"`
	// Active counts the establishments active at the end of the period's
	// last day (see kume.Establishment.ActiveAt).
	Active int `json:"active"`
}

// DateRange is the first and last day (YYYY-MM-DD) of a set of dates and
// their number.
type DateRange struct {
	Min   string `json:"min"`
	Max   string `json:"max"`
	Count int    `json:"count"`
}

// Timeline counts entries, exits and active establishments per period.
type Timeline struct {
	Interval string `json:"interval"`
	// Total counts the establishments matched, dated or not.
	Total int `json:"total"`
	// Range spans every founding and closing date; nil when there is none.
	Range   *DateRange `json:"range"`
	Founded *DateRange `json:"founded"`
	Closed  *DateRange `json:"closed"`
	// Periods run from the period of Range.Min to that of Range.Max.
	Periods []TimelinePeriod `json:"periods"`
	// Truncated is set when earlier periods were left out (see
	// MaxTimelinePeriods).
	Truncated bool `json:"truncated"`
}

// periodCounts are the entries and exits of one period. fix corrects the
// active count for records closed in an earlier period than they were
// founded in, which would otherwise be subtracted twice: +1 from the closing
// period, -1 from the founding one.
type periodCounts struct{ entries, exits, fix int }

// timelineCounter folds establishments into per-period counts. Its memory
// grows with the number of distinct periods, not of establishments.
type timelineCounter struct {
	yearly          bool
	total           int
	founded, closed dateSpan
	counts          map[int]*periodCounts
}

// dateSpan tracks the first and last of a set of days.
type dateSpan struct {
	min, max time.Time
	n        int
}

func (d *dateSpan) add(t time.Time) {
	if d.n == 0 || t.Before(d.min) {
		d.min = t
	}
	if d.n == 0 || t.After(d.max) {
		d.max = t
	}
	d.n++
}

// merge returns the span of the days of d and o.
func (d dateSpan) merge(o dateSpan) dateSpan {
	if o.n == 0 {
		return d
	}
	if d.n == 0 {
		return o
	}
	return dateSpan{min: minTime(d.min, o.min), max: maxTime(d.max, o.max), n: d.n + o.n}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (d dateSpan) json() *DateRange {
	if d.n == 0 {
		return nil
	}
	return &DateRange{Min: d.min.Format(time.DateOnly), Max: d.max.Format(time.DateOnly), Count: d.n}
}

// period returns the index of the month (year*12+month-1) or year of t.
func (c *timelineCounter) period(t time.Time) int {
	if c.yearly {
		return t.Year()
	}
	return t.Year()*12 + int(t.Month()) - 1
}

// bounds returns the first and last day of period p.
func (c *timelineCounter) bounds(p int) (label string, start, end time.Time) {
	if c.yearly {
		start = time.Date(p, 1, 1, 0, 0, 0, 0, time.UTC)
		return start.Format("2006"), start, start.AddDate(1, 0, -1)
	}
	start = time.Date(p/12, time.Month(p%12+1), 1, 0, 0, 0, 0, time.UTC)
	return start.Format("2006-01"), start, start.AddDate(0, 1, -1)
}

func (c *timelineCounter) at(p int) *periodCounts {
	pc := c.counts[p]
	if pc == nil {
		pc = &periodCounts{}
		c.counts[p] = pc
	}
	return pc
}

// add counts one establishment.
func (c *timelineCounter) add(e *kume.Establishment) {
	c.total++
	if e.Founded != nil {
		t := e.Founded.UTC()
		c.founded.add(t)
		c.at(c.period(t)).entries++
	}
	if e.Closed != nil {
		t := e.Closed.UTC()
		c.closed.add(t)
		c.at(c.period(t)).exits++
		if e.Founded != nil {
			if cp, fp := c.period(t), c.period(e.Founded.UTC()); cp < fp {
				c.at(cp).fix++
				c.at(fp).fix--
			}
		}
	}
}

// result builds the timeline. An establishment is active at the end of a
// period when it was not founded in a later period and not closed in that
// period or an earlier one.
func (c *timelineCounter) result(interval string) Timeline {
	tl := Timeline{Interval: interval, Total: c.total, Founded: c.founded.json(), Closed: c.closed.json(),
		Periods: []TimelinePeriod{}}
	all := c.founded.merge(c.closed)
	if all.n == 0 {
		return tl
	}
	tl.Range = all.json()
	first, last := c.period(all.min), c.period(all.max)
	if last-first+1 > MaxTimelinePeriods {
		first, tl.Truncated = last-MaxTimelinePeriods+1, true
	}
	// Entries and exits before the first period shown.
	var entered, exited, fixed int
	for p, pc := range c.counts {
		if p < first {
			entered += pc.entries
			exited += pc.exits
			fixed += pc.fix
		}
	}
	for p := first; p <= last; p++ {
		pc := c.counts[p]
		if pc == nil {
			pc = &periodCounts{}
		}
		entered += pc.entries
		exited += pc.exits
		fixed += pc.fix
		label, start, end := c.bounds(p)
		tl.Periods = append(tl.Periods, TimelinePeriod{Period: label, Start: start.Format(time.DateOnly),
			End: end.Format(time.DateOnly), Entries: pc.entries, Exits: pc.exits,
			Active: c.total - (c.founded.n - entered) - exited + fixed})
	}
	return tl
}

// handleTimeline counts, per month or year, the establishments founded
// (entries) and closed (exits) and those active at each period's end, for a
// dataset, sector, kind and bbox, with the span of the data's dates. It
// streams the establishments once; anonymous callers count public datasets
// only.
func (s *Server) handleTimeline(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "dataset", "sector", "kind", "bbox", "interval")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	interval, err := p.text("interval", maxText)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case !p.has("interval"):
		interval = "month"
	case interval != "month" && interval != "year":
		s.writeError(w, r, invalid("interval", "not month or year"))
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	f, err := s.timelineFilter(ctx, r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c := &timelineCounter{yearly: interval == "year", counts: map[int]*periodCounts{}}
	n := 0
	err = s.view(r).EachEstablishment(ctx, f, func(e *kume.Establishment) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c.add(e)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c.result(interval))
}

// timelineFilter builds the establishment filter of a timeline request.
func (s *Server) timelineFilter(ctx context.Context, r *http.Request, p params) (kume.EstablishmentFilter, error) {
	f := kume.EstablishmentFilter{}
	callerAccess(r).Restrict(&f)
	var err error
	if f.BBox, err = p.bbox("bbox"); err != nil {
		return f, err
	}
	sector, err := s.sectorParam(p)
	if err != nil {
		return f, err
	}
	kind, err := p.text("kind", maxText)
	if err != nil {
		return f, err
	}
	if kind != "" && !kume.Kind(kind).Valid() {
		return f, invalid("kind", "not firm or institution")
	}
	f.Kind = kume.Kind(kind)
	if p.has("dataset") {
		d, err := datasetParam(ctx, s.view(r), p)
		if err != nil {
			return f, err
		}
		f.DatasetIDs = []int64{d.ID}
	}
	if sector != "" {
		if f.NACEPrefixes, err = s.sectorPrefixes(ctx, sector); err != nil {
			return f, err
		}
	}
	return f, nil
}
