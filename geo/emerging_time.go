package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kume-geo/kume"
)

// Step is the length of one time step of a space-time cube.
type Step string

// Time steps of a space-time cube.
const (
	StepYear    Step = "year"
	StepQuarter Step = "quarter"
	StepMonth   Step = "month"
)

// MaxSteps is the largest number of time steps of a space-time cube.
const MaxSteps = 600

// Undated says how a firm without a founding date counts in a space-time
// cube: as present from the start (its closing date, if any, still ends it),
// or not at all.
type Undated string

// Rules for firms without a founding date.
const (
	UndatedPresent Undated = "present"
	UndatedOmit    Undated = "omit"
)

// Day is a calendar day in UTC, counted from 1970-01-01.
type Day int32

// NoDay stands for an unknown date.
const NoDay Day = math.MinInt32

// DayOf returns the UTC day of t, or NoDay when t is nil.
func DayOf(t *time.Time) Day {
	if t == nil {
		return NoDay
	}
	u := t.UTC()
	d := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	return Day(d.Unix() / 86400)
}

// Time returns the first instant of the day (UTC).
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// TimeSteps is the span of a space-time cube: N consecutive periods of one
// Step, the first being period First (a year, year*4+quarter-1 or
// year*12+month-1). A firm counts at a step when it is active at the end of
// the step's last day: founded on or before that day, and not closed on or
// before it (kume.Establishment.ActiveAt).
type TimeSteps struct {
	Step  Step `json:"step"`
	First int  `json:"-"`
	N     int  `json:"n"`
}

// periodOf returns the period of step s that holds the UTC day of t.
func periodOf(s Step, t time.Time) int {
	t = t.UTC()
	switch s {
	case StepQuarter:
		return t.Year()*4 + (int(t.Month())-1)/3
	case StepMonth:
		return t.Year()*12 + int(t.Month()) - 1
	}
	return t.Year()
}

// Period returns the period index of the day d.
func (ts TimeSteps) Period(d Day) int { return periodOf(ts.Step, d.Time()) }

// Bounds returns the first and last day of step i.
func (ts TimeSteps) Bounds(i int) (start, end time.Time) {
	p := ts.First + i
	switch ts.Step {
	case StepQuarter:
		start = time.Date(p/4, time.Month(p%4*3+1), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 3, -1)
	case StepMonth:
		start = time.Date(p/12, time.Month(p%12+1), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, -1)
	}
	start = time.Date(p, 1, 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(1, 0, -1)
}

// Label names step i: "2024", "2024-Q3" or "2024-07".
func (ts TimeSteps) Label(i int) string {
	p := ts.First + i
	switch ts.Step {
	case StepQuarter:
		return fmt.Sprintf("%04d-Q%d", p/4, p%4+1)
	case StepMonth:
		return fmt.Sprintf("%04d-%02d", p/12, p%12+1)
	}
	return fmt.Sprintf("%04d", p)
}

// Validate checks the step and the number of steps (2..MaxSteps).
func (ts TimeSteps) Validate() error {
	switch ts.Step {
	case StepYear, StepQuarter, StepMonth:
	default:
		return emergingBad("step %q is not year, quarter or month", ts.Step)
	}
	if ts.N < 2 || ts.N > MaxSteps {
		return emergingBad("%d time steps: between 2 and %d are needed", ts.N, MaxSteps)
	}
	if ts.First < 0 {
		return emergingBad("time steps before year 0")
	}
	return nil
}

// Active returns the first and last step at which a firm founded on day
// founded and closed on day closed (NoDay when unknown) is active, and false
// when it is active at none, or has no founding date and undated is
// UndatedOmit. A firm founded during a step is active at its end; a firm
// closed during a step is not.
func (ts TimeSteps) Active(founded, closed Day, undated Undated) (first, last int, ok bool) {
	first, last = 0, ts.N-1
	if founded == NoDay {
		if undated == UndatedOmit {
			return 0, 0, false
		}
	} else {
		first = max(first, ts.Period(founded)-ts.First)
	}
	if closed != NoDay {
		last = min(last, ts.Period(closed)-ts.First-1)
	}
	return first, last, first <= last
}

// ParseSpan returns the time steps of one Step from the period holding the
// first day that from names to the period holding the last day that to
// names. Each is a year ("2015"), a quarter ("2015-Q2"), a month
// ("2015-04") or a day ("2015-04-30"). Malformed dates, an empty span or
// more than MaxSteps steps are an EINVALID error.
func ParseSpan(step Step, from, to string) (TimeSteps, error) {
	ts := TimeSteps{Step: step}
	if err := (TimeSteps{Step: step, N: 2}).Validate(); err != nil {
		return ts, err
	}
	a, _, err := ParsePeriod(from)
	if err != nil {
		return ts, kume.Errorf(kume.EINVALID, "geo: from: %v", err)
	}
	_, b, err := ParsePeriod(to)
	if err != nil {
		return ts, kume.Errorf(kume.EINVALID, "geo: to: %v", err)
	}
	first, last := periodOf(step, a), periodOf(step, b)
	if last < first {
		return ts, emergingBad("to (%s) is before from (%s)", to, from)
	}
	if last-first+1 > MaxSteps {
		return ts, emergingBad("%d %s steps from %s to %s, more than %d", last-first+1, step, from, to, MaxSteps)
	}
	ts.First, ts.N = first, last-first+1
	return ts, ts.Validate()
}

// ParsePeriod reads a year ("2015"), quarter ("2015-Q2"), month ("2015-04")
// or day ("2015-04-30") between years 1 and 9999 and returns its first and
// last day.
func ParsePeriod(s string) (first, last time.Time, err error) {
	bad := fmt.Errorf("%q is not a year (2015), quarter (2015-Q2), month (2015-04) or day (2015-04-30)", s)
	if len(s) < 4 || len(s) > 10 {
		return first, last, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 1 || !digits(s[:4]) {
		return first, last, bad
	}
	rest := s[4:]
	switch {
	case rest == "":
		first = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(1, 0, -1), nil
	case len(rest) == 3 && strings.HasPrefix(rest, "-Q") && rest[2] >= '1' && rest[2] <= '4':
		first = time.Date(y, time.Month(int(rest[2]-'1')*3+1), 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(0, 3, -1), nil
	case len(rest) == 3 && rest[0] == '-' && digits(rest[1:]):
		m, _ := strconv.Atoi(rest[1:])
		if m < 1 || m > 12 {
			return first, last, bad
		}
		first = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(0, 1, -1), nil
	case len(rest) == 6:
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return first, last, bad
		}
		return d, d, nil
	}
	return first, last, bad
}

// emergingBad returns an EINVALID error of the emerging hot spot analysis.
func emergingBad(format string, args ...any) error {
	return kume.Errorf(kume.EINVALID, "geo: emerging hot spots: "+format, args...)
}
