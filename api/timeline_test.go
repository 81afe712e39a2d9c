package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// dateTimeline gives some of the fixture's establishments founding and
// closing dates: public firms close at the end of April to July 2023 and
// some were founded in 2022, a few records close before they were founded,
// and the private dataset's firms were founded in 1990.
func dateTimeline(ests []kume.Establishment) {
	day := func(y int, m time.Month, d int) *time.Time {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return &t
	}
	for i := range ests {
		e := &ests[i]
		switch {
		case i >= 250:
			e.Founded = day(1990, 1, 1)
		case i%5 == 0: // institutions stay undated
		case i%7 == 0:
			e.Closed = day(2023, time.Month(5+i%4), 0) // last day of April..July
		case i%3 == 0:
			e.Founded = day(2022, time.Month(1+i%12), 15)
			if i%11 == 0 {
				e.Closed = day(2021, 6, 1)
			}
		}
	}
}

// bruteTimeline checks tl against a direct count over the establishments
// keep selects: entries and exits per period and ActiveAt at its last day.
func bruteTimeline(t *testing.T, st *testStore, tl Timeline, keep func(*kume.Establishment) bool) {
	t.Helper()
	total := 0
	for i := range st.ests {
		if keep(&st.ests[i]) {
			total++
		}
	}
	if tl.Total != total {
		t.Errorf("total %d, want %d", tl.Total, total)
	}
	for _, p := range tl.Periods {
		start, err1 := time.Parse(time.DateOnly, p.Start)
		end, err2 := time.Parse(time.DateOnly, p.End)
		if err1 != nil || err2 != nil {
			t.Fatalf("period %+v", p)
		}
		endOfDay := end.AddDate(0, 0, 1).Add(-time.Microsecond)
		in := func(d *time.Time) bool { return d != nil && !d.Before(start) && !d.After(end) }
		var entries, exits, active int
		for i := range st.ests {
			e := &st.ests[i]
			if !keep(e) {
				continue
			}
			if in(e.Founded) {
				entries++
			}
			if in(e.Closed) {
				exits++
			}
			if e.ActiveAt(endOfDay) {
				active++
			}
		}
		if p.Entries != entries || p.Exits != exits || p.Active != active {
			t.Errorf("%s: entries/exits/active %d/%d/%d, want %d/%d/%d", p.Period,
				p.Entries, p.Exits, p.Active, entries, exits, active)
		}
	}
}

func TestTimeline(t *testing.T) { onStores(t, testTimeline) }

func testTimeline(t *testing.T, kind teststores.Kind) {
	public := func(e *kume.Establishment) bool { return e.DatasetID == 1 }
	firm13 := func(e *kume.Establishment) bool {
		return public(e) && e.Kind == kume.KindFirm && strings.HasPrefix(e.NACE, "13")
	}
	tests := []struct {
		name     string
		target   string
		dated    bool
		key      kume.Scope // "" for anonymous
		keep     func(*kume.Establishment) bool
		rng      string // "min..max", "" for null
		periods  int
		interval string
	}{
		{"undated", "/api/v1/timeline", false, "", public, "", 0, "month"},
		{"months", "/api/v1/timeline", true, "", public, "2021-06-01..2023-07-31", 26, "month"},
		{"years", "/api/v1/timeline?interval=year", true, "", public, "2021-06-01..2023-07-31", 3, "year"},
		{"sector and kind", "/api/v1/timeline?sector=C&kind=firm&interval=month", true, "", firm13, "2021-06-01..2023-07-31", 26, "month"},
		{"bbox", "/api/v1/timeline?bbox=28.85,40.95,28.955,41.2", true, "", func(e *kume.Establishment) bool {
			return public(e) && e.Lon <= 28.955 && e.Lat <= 41.2
		}, "2021-06-01..2023-07-31", 26, "month"},
		{"dataset by name", "/api/v1/timeline?dataset=demo&interval=year", true, "", public, "2021-06-01..2023-07-31", 3, "year"},
		{"private with a key", "/api/v1/timeline?dataset=secret", true, kume.ScopeRead, func(e *kume.Establishment) bool {
			return e.DatasetID == 2
		}, "1990-01-01..1990-01-01", 1, "month"},
		{"everything with a key", "/api/v1/timeline?interval=year", true, kume.ScopeRead, func(*kume.Establishment) bool { return true },
			"1990-01-01..2023-07-31", 34, "year"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, st, keys := newTestServer(t, kind, nil)
			if tc.dated {
				st.reimport(t, dateTimeline)
			}
			rec := do(t, s, http.MethodGet, tc.target, keys[tc.key], nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body.String())
			}
			var tl Timeline
			if err := json.Unmarshal(rec.Body.Bytes(), &tl); err != nil {
				t.Fatal(err)
			}
			got := ""
			if tl.Range != nil {
				got = tl.Range.Min + ".." + tl.Range.Max
			}
			if got != tc.rng || len(tl.Periods) != tc.periods || tl.Interval != tc.interval || tl.Truncated {
				t.Errorf("range %q, %d periods, interval %s, truncated %v; want %q, %d, %s",
					got, len(tl.Periods), tl.Interval, tl.Truncated, tc.rng, tc.periods, tc.interval)
			}
			if !tc.dated && (tl.Founded != nil || tl.Closed != nil || !strings.Contains(rec.Body.String(), `"range":null`)) {
				t.Errorf("undated data: %s", rec.Body.String())
			}
			bruteTimeline(t, st, tl, tc.keep)
		})
	}
}

// TestTimelineTruncates checks the period cap: the most recent periods are
// kept and earlier entries still count towards the active totals.
func TestTimelineTruncates(t *testing.T) { onStores(t, testTimelineTruncates) }

func testTimelineTruncates(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	old := time.Date(1900, 3, 10, 0, 0, 0, 0, time.UTC)
	st.reimport(t, func(ests []kume.Establishment) {
		dateTimeline(ests)
		ests[1].Founded = &old
	})
	tl := Timeline{}
	rec := do(t, s, http.MethodGet, "/api/v1/timeline", "", nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &tl); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v %.200s", rec.Code, err, rec.Body.String())
	}
	n := len(tl.Periods)
	if !tl.Truncated || n != MaxTimelinePeriods || tl.Periods[n-1].Period != "2023-07" || tl.Range.Min != "1900-03-10" {
		t.Fatalf("truncated %v, %d periods, last %+v, range %+v", tl.Truncated, n, tl.Periods[n-1], tl.Range)
	}
	bruteTimeline(t, st, tl, func(e *kume.Establishment) bool { return e.DatasetID == 1 })
}

func TestTimelineRejectsBadParameters(t *testing.T) { onStores(t, testTimelineRejectsBadParameters) }

func testTimelineRejectsBadParameters(t *testing.T, kind teststores.Kind) {
	s, _, _ := newTestServer(t, kind, nil)
	tests := []struct {
		query, mention string
	}{
		{"interval=week", "interval"},
		{"interval=", "interval"},
		{"interval=month&interval=year", "interval"},
		{"at=2023-05-31", "at"},
		{"kind=castle", "kind"},
		{"sector=13%25", "sector"},
		{"sector=vc:nope", "sector"},
		{"bbox=1,2,3", "bbox"},
		{"dataset=secret", "dataset"}, // private: invisible to anonymous callers
		{"dataset=99", "dataset"},
		{"%zz=1", "malformed"},
	}
	for _, tc := range tests {
		rec := do(t, s, http.MethodGet, "/api/v1/timeline?"+tc.query, "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.mention) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.query, rec.Code, rec.Body.String(), tc.mention)
		}
	}
}
