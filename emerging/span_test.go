package emerging

import (
	"net/url"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
)

// FuzzSpan resolves the span of any options the parser accepts, with and
// without a latest date among the firms: it is either an EINVALID error or
// time steps that geo accepts.
func FuzzSpan(f *testing.F) {
	for _, seed := range []string{"", "step=quarter&from=2015-Q2&to=2016-04-30", "step=month&from=2024-02",
		"from=2024&to=2015", "to=9999-12-31", "from=0001", "step=month&from=1975-01&to=2024-12", "to=2015-Q4&step=month"} {
		f.Add(seed, int32(19538))
	}
	today := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string, latest int32) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		o, err := ParseOptions(func(name string) (string, bool) { _, ok := v[name]; return v.Get(name), ok })
		if err != nil {
			return
		}
		for _, day := range []geo.Day{geo.Day(latest), geo.NoDay} {
			if day != geo.NoDay && (day < -700000 || day > 2900000) {
				continue // outside years 1..9999
			}
			ts, err := span(o, day, today)
			if err != nil {
				if kume.ErrorCode(err) != kume.EINVALID {
					t.Fatalf("%q, %d: %v is not EINVALID", raw, day, err)
				}
				continue
			}
			if err := ts.Validate(); err != nil {
				t.Fatalf("%q, %d: span %+v accepted but invalid: %v", raw, day, ts, err)
			}
		}
	})
}

func TestSpanDefaults(t *testing.T) {
	today := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	d := func(s string) geo.Day {
		t, _ := time.Parse(time.DateOnly, s)
		return geo.DayOf(&t)
	}
	for _, c := range []struct {
		o           Options
		latest      geo.Day
		first, last string
	}{
		{DefaultOptions(), d("2023-07-31"), "2014", "2023"},
		{DefaultOptions(), geo.NoDay, "2015", "2024"},       // no dates: the last whole year
		{DefaultOptions(), d("2031-01-01"), "2016", "2025"}, // never after today
		{Options{Res: 7, Step: geo.StepMonth, Window: 1, Undated: geo.UndatedPresent, Level: 1}, d("2023-07-31"), "2022-10", "2023-07"},
		{Options{Res: 7, Step: geo.StepQuarter, Window: 1, Undated: geo.UndatedPresent, Level: 1, From: "2020"}, d("2023-07-31"), "2020-Q1", "2023-Q3"},
	} {
		ts, err := span(c.o, c.latest, today)
		if err != nil || ts.Label(0) != c.first || ts.Label(ts.N-1) != c.last {
			t.Errorf("%+v, %d: %s..%s, want %s..%s (%v)", c.o, c.latest, ts.Label(0), ts.Label(ts.N-1), c.first, c.last, err)
		}
	}
}
