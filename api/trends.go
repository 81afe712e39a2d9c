package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// MinDatedShare is the share of a unit's firms that must have a founding date
// before a trend states a growth rate: firms without one are counted as
// active throughout, so with fewer dates a rate would be an artefact of the
// missing dates (the Berlin demo has no founding date at all).
const MinDatedShare = 0.95

func (s *Server) mountTrends(r chi.Router) {
	r.With(s.need(kume.ScopeRead)).Get("/trends", s.handleTrends)
}

var regionUnitRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}:[\p{L}\p{N}._-]{1,64}$`)

// trendUnit is the place a trend counts: a cluster footprint or a region.
type trendUnit struct {
	Kind  string `json:"kind"` // "cluster" or "region"
	ID    string `json:"id"`   // cluster id or "level:code"
	Name  string `json:"name"`
	Level string `json:"level,omitempty"`
	// Match says how firms are placed in the unit: "footprint", "boundary" or
	// "attribute:<name>" (the analysis's attribute regions).
	Match string `json:"match"`
	// inside reports whether an establishment belongs to the unit.
	inside func(e *kume.Establishment) bool
	box    *orb.Bound
}

// TrendPeriod is one period of a trend: firms and employment entering,
// leaving and active at the period's end.
type TrendPeriod struct {
	TimelinePeriod
	// Net is Entries − Exits.
	Net int `json:"net"`
	// EmployeesActive sums the head counts (band midpoints for bands) of the
	// firms active at the period's end, each with its one recorded count.
	EmployeesActive float64 `json:"employees_active"`
	EmployeesIn     float64 `json:"employees_entries"`
	EmployeesOut    float64 `json:"employees_exits"`
}

// Growth is the change of active firms over a trend, stated only when the
// founding dates allow it.
type Growth struct {
	Claimable bool     `json:"claimable"`
	Reason    string   `json:"reason"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	Start     int      `json:"start,omitempty"`
	End       int      `json:"end,omitempty"`
	Rate      *float64 `json:"rate"`
}

// Trend is the answer of /trends.
type Trend struct {
	Unit     trendUnit `json:"unit"`
	Sector   string    `json:"sector"`
	Interval string    `json:"interval"`
	// Total counts the unit's firms, dated or not; FoundedUnknown those
	// without a founding date, EmployeesKnown those with a head count.
	Total          int                          `json:"total"`
	FoundedUnknown int                          `json:"founded_unknown"`
	EmployeesKnown int                          `json:"employees_known"`
	Founded        *DateRange                   `json:"founded"`
	Closed         *DateRange                   `json:"closed"`
	Periods        []TrendPeriod                `json:"periods"`
	Growth         Growth                       `json:"growth"`
	Institutions   map[kume.InstitutionType]int `json:"institutions"`
	Method         string                       `json:"method"`
}

// empCounts are a period's head counts entering and leaving, with the same
// correction as periodCounts.fix.
type empCounts struct{ in, out, fix float64 }

// handleTrends counts, per month or year, the firms of one sector (default:
// the cluster's own, or all) founded in, closed in and active at the end of
// each period inside a cluster footprint or a region, with their employment,
// and the supporting institutions there.
func (s *Server) handleTrends(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, "cluster", "region", "sector", "interval")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	interval := p.v.Get("interval")
	switch interval {
	case "":
		interval = "month"
	case "month", "year":
	default:
		s.writeError(w, r, invalid("interval", "not month or year"))
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	v := s.view(r)
	unit, sector, err := s.trendUnit(ctx, v, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := kume.EstablishmentFilter{PublicOnly: IsPublic(r), BBox: unit.box}
	if sector != "" {
		if f.NACEPrefixes, err = s.sectorPrefixes(ctx, sector); err != nil {
			s.writeError(w, r, err)
			return
		}
		if len(f.NACEPrefixes) == 0 {
			f.NACEPrefixes = []string{"-"}
		}
	}
	c := &timelineCounter{yearly: interval == "year", counts: map[int]*periodCounts{}}
	emp := map[int]*empCounts{}
	at := func(p int) *empCounts {
		if emp[p] == nil {
			emp[p] = &empCounts{}
		}
		return emp[p]
	}
	t := Trend{Unit: unit, Sector: sector, Interval: interval, Institutions: map[kume.InstitutionType]int{}}
	var empTotal, empFounded float64
	n := 0
	err = v.EachEstablishment(ctx, kume.EstablishmentFilter{PublicOnly: f.PublicOnly, BBox: f.BBox, Kind: kume.KindInstitution}, func(e *kume.Establishment) error {
		if unit.inside(e) {
			t.Institutions[e.Type]++
		}
		return nil
	})
	if err == nil {
		f.Kind = kume.KindFirm
		err = v.EachEstablishment(ctx, f, func(e *kume.Establishment) error {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if !unit.inside(e) {
				return nil
			}
			c.add(e)
			if e.Founded == nil {
				t.FoundedUnknown++
			}
			v, ok := e.Employees.Estimate()
			if !ok {
				return nil
			}
			t.EmployeesKnown++
			empTotal += v
			if e.Founded != nil {
				empFounded += v
				at(c.period(e.Founded.UTC())).in += v
			}
			if e.Closed != nil {
				cp := c.period(e.Closed.UTC())
				at(cp).out += v
				if e.Founded != nil {
					if fp := c.period(e.Founded.UTC()); cp < fp {
						at(cp).fix += v
						at(fp).fix -= v
					}
				}
			}
			return nil
		})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tl := c.result(interval)
	t.Total, t.Founded, t.Closed = tl.Total, tl.Founded, tl.Closed
	t.Periods = make([]TrendPeriod, 0, len(tl.Periods))
	// Head counts entered, left and corrected up to each period, as the
	// timeline counts firms (periods before the first shown included).
	first := math.MaxInt
	if len(tl.Periods) > 0 {
		first = c.period(mustDate(tl.Periods[0].Start))
	}
	var in, out, fix float64
	for p, ec := range emp {
		if p < first {
			in, out, fix = in+ec.in, out+ec.out, fix+ec.fix
		}
	}
	for _, tp := range tl.Periods {
		ec := emp[c.period(mustDate(tp.Start))]
		if ec == nil {
			ec = &empCounts{}
		}
		in, out, fix = in+ec.in, out+ec.out, fix+ec.fix
		t.Periods = append(t.Periods, TrendPeriod{TimelinePeriod: tp, Net: tp.Entries - tp.Exits,
			EmployeesActive: math.Round((empTotal-(empFounded-in)-out+fix)*10) / 10,
			EmployeesIn:     ec.in, EmployeesOut: ec.out})
	}
	t.Growth = growth(t)
	t.Method = "entries are firms founded in a period, exits firms closed in it; a firm is active at a period's end when founded (if known) on or before it and not closed by it; employment sums each active firm's one recorded head count (band midpoints); a growth rate (over the last five years at most) is stated only when at least 95% of the firms have a founding date"
	writeJSON(w, http.StatusOK, t)
}

// growthYears is the longest span a growth rate covers.
const growthYears = 5

// growth states the change of active firms from the end of the first period
// (at most growthYears before the last) to the end of the last, or why it is
// not stated.
func growth(t Trend) Growth {
	switch {
	case t.Total == 0:
		return Growth{Reason: "no firms"}
	case float64(t.Total-t.FoundedUnknown) < MinDatedShare*float64(t.Total):
		return Growth{Reason: "founding dates unknown for " + strconv.Itoa(t.FoundedUnknown) + " of " + strconv.Itoa(t.Total) + " firms"}
	case len(t.Periods) < 2:
		return Growth{Reason: "fewer than two dated periods"}
	}
	// Over the last five years at most, as the profile's dynamism.
	span := growthYears
	if t.Interval == "month" {
		span *= 12
	}
	p0, p1 := t.Periods[max(0, len(t.Periods)-1-span)], t.Periods[len(t.Periods)-1]
	start := p0.Active
	g := Growth{Claimable: true, From: p0.End, To: p1.End, Start: start, End: p1.Active}
	if start > 0 {
		r := float64(p1.Active-start) / float64(start)
		g.Rate = &r
	} else {
		g.Reason = "no active firm at the start"
	}
	return g
}

// mustDate parses a YYYY-MM-DD the timeline itself wrote.
func mustDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// trendUnit resolves the cluster or region of a trend request and the sector
// it counts.
func (s *Server) trendUnit(ctx context.Context, v *view, p params) (trendUnit, string, error) {
	sector, err := s.sectorParam(p)
	if err != nil {
		return trendUnit{}, "", err
	}
	hadSector := p.has("sector")
	switch {
	case p.has("cluster") && p.has("region"):
		return trendUnit{}, "", invalid("cluster", "give cluster or region, not both")
	case p.has("cluster"):
		c, err := clusterParam(ctx, v, p)
		if err != nil {
			return trendUnit{}, "", err
		}
		if !hadSector {
			sector = c.Sector
		}
		q := export.Query{Layer: export.LayerEstablishments}
		if err := applyCluster(p, &q, c); err != nil {
			return trendUnit{}, "", err
		}
		geom := q.Region.Geometry
		b := geom.Bound()
		return trendUnit{Kind: "cluster", ID: c.ID, Name: c.Name, Match: "footprint", box: &b,
			inside: func(e *kume.Establishment) bool { return planar.MultiPolygonContains(geom, orb.Point{e.Lon, e.Lat}) }}, sector, nil
	case p.has("region"):
		id := p.v.Get("region")
		if !regionUnitRE.MatchString(id) {
			return trendUnit{}, "", invalid("region", "want level:code, e.g. province:34")
		}
		level, code, _ := strings.Cut(id, ":")
		regs, err := s.store.Regions(ctx, kume.RegionFilter{Level: level, Codes: []string{code}})
		if err != nil {
			return trendUnit{}, "", err
		}
		if len(regs) == 0 {
			return trendUnit{}, "", invalid("region", "no such region")
		}
		reg := regs[0]
		u := trendUnit{Kind: "region", ID: id, Name: reg.Name, Level: level}
		if attr := regionAttr(ctx, v, level); attr != "" {
			u.Match = "attribute:" + attr
			u.inside = func(e *kume.Establishment) bool {
				v := e.Attrs[attr]
				return v != "" && (v == reg.Code || v == reg.Name)
			}
			return u, sector, nil
		}
		if len(reg.Geometry) == 0 {
			return trendUnit{}, "", invalid("region", "the region has no boundary")
		}
		b := reg.Geometry.Bound()
		u.Match, u.box = "boundary", &b
		u.inside = func(e *kume.Establishment) bool {
			return planar.MultiPolygonContains(reg.Geometry, orb.Point{e.Lon, e.Lat})
		}
		return u, sector, nil
	}
	return trendUnit{}, "", invalid("cluster", "give cluster=<id> or region=<level:code>")
}

// regionAttr returns the establishment attribute the caller's analysis
// placed firms in regions of this level by, or "" for polygon levels.
func regionAttr(ctx context.Context, v *view, level string) string {
	run, err := v.Analysis(ctx)
	if err != nil || run == nil {
		return ""
	}
	var p struct {
		Params struct {
			RegionAttrs map[string]string `json:"region_attrs"`
		} `json:"params"`
	}
	if json.Unmarshal(run.Params, &p) != nil {
		return ""
	}
	return p.Params.RegionAttrs[level]
}
