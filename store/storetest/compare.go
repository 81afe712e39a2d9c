package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

// NormalizeEstablishment returns e with times in UTC and empty maps as nil, so
// that two stores' rows compare with reflect.DeepEqual.
func NormalizeEstablishment(e kume.Establishment) kume.Establishment {
	e.Founded = utcPtr(e.Founded)
	e.Closed = utcPtr(e.Closed)
	if len(e.Attrs) == 0 {
		e.Attrs = nil
	}
	return e
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// checkUTC fails the test when a stored time is not in UTC.
func checkUTC(t testing.TB, what string, tm *time.Time) {
	t.Helper()
	if tm != nil && tm.Location() != time.UTC {
		t.Errorf("%s: time %v is in zone %v, want UTC", what, tm, tm.Location())
	}
}

// FormatEstablishment renders e readably, times included, for failure messages.
func FormatEstablishment(e kume.Establishment) string {
	ft := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("{ID:%d DatasetID:%d SourceID:%q Name:%q Kind:%s Type:%s NACE:%q Employees:%+v Founded:%s Closed:%s Address:%+v Lon:%v Lat:%v Precision:%s GeocodeSource:%q Cell:%#x Attrs:%v}",
		e.ID, e.DatasetID, e.SourceID, e.Name, e.Kind, e.Type, e.NACE, e.Employees, ft(e.Founded), ft(e.Closed),
		e.Address, e.Lon, e.Lat, e.Precision, e.GeocodeSource, e.Cell, e.Attrs)
}

// AssertSameEstablishment fails the test unless got equals want field by field
// (after NormalizeEstablishment) and got's times are in UTC.
func AssertSameEstablishment(t testing.TB, what string, got, want kume.Establishment) {
	t.Helper()
	checkUTC(t, what+" Founded", got.Founded)
	checkUTC(t, what+" Closed", got.Closed)
	if !reflect.DeepEqual(NormalizeEstablishment(got), NormalizeEstablishment(want)) {
		t.Errorf("%s:\n got %s\nwant %s", what, FormatEstablishment(got), FormatEstablishment(want))
	}
}

// assertSortedByID fails the test unless rows are in strictly increasing id order.
func assertSortedByID(t testing.TB, what string, rows []kume.Establishment) {
	t.Helper()
	for i := 1; i < len(rows); i++ {
		if rows[i].ID <= rows[i-1].ID {
			t.Errorf("%s: ids not strictly increasing at %d: %d then %d", what, i, rows[i-1].ID, rows[i].ID)
			return
		}
	}
}

// sameJSON reports whether two raw JSON texts mean the same (nil and empty are
// the same).
func sameJSON(a, b json.RawMessage) bool {
	if len(bytes.TrimSpace(a)) == 0 || len(bytes.TrimSpace(b)) == 0 {
		return len(bytes.TrimSpace(a)) == len(bytes.TrimSpace(b))
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(va, vb)
}

func normalizeRegion(r kume.Region) kume.Region {
	if len(r.Attrs) == 0 {
		r.Attrs = nil
	}
	if len(r.Geometry) == 0 {
		r.Geometry = nil
	}
	return r
}

func normalizeCounts(m map[kume.InstitutionType]int) map[kume.InstitutionType]int {
	if len(m) == 0 {
		return nil
	}
	return m
}

func normalizeCellStat(c kume.CellStat) kume.CellStat {
	c.Institutions = normalizeCounts(c.Institutions)
	return c
}

// normalizeCluster returns c with empty collections as nil and Profile
// compared separately (it is raw JSON).
func normalizeCluster(c kume.Cluster) kume.Cluster {
	c.InstitutionsInside = normalizeCounts(c.InstitutionsInside)
	c.InstitutionsNear = normalizeCounts(c.InstitutionsNear)
	if len(c.Cells) == 0 {
		c.Cells = nil
	}
	if len(c.Geometry) == 0 {
		c.Geometry = nil
	}
	if len(c.RolesPresent) == 0 {
		c.RolesPresent = nil
	}
	if len(c.RolesMissing) == 0 {
		c.RolesMissing = nil
	}
	c.Profile = nil
	return c
}

func sameCluster(got, want kume.Cluster) bool {
	return sameJSON(got.Profile, want.Profile) &&
		reflect.DeepEqual(normalizeCluster(got), normalizeCluster(want))
}

// sameRun compares runs: times to the nanosecond given, JSON by meaning, ""
// scope as AnalysisPublic, nil and empty dataset lists alike.
func sameRun(got, want kume.AnalysisRun) bool {
	same := func(a, b []kume.AnalysisDataset) bool { return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b) }
	return got.Version == want.Version && got.StartedAt.Equal(want.StartedAt) &&
		got.FinishedAt.Equal(want.FinishedAt) && sameJSON(got.Params, want.Params) &&
		got.Scope.Norm() == want.Scope.Norm() && same(got.Datasets, want.Datasets) && same(got.Omitted, want.Omitted)
}

// sameGrants compares grant lists, nil and empty alike.
func sameGrants(a, b []kume.Grant) bool { return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b) }

// keys returns the sorted fixture keys of rows.
func (f *fixture) keys(rows []kume.Establishment) []string {
	out := make([]string, len(rows))
	for i, e := range rows {
		out[i] = f.key(e)
	}
	slices.Sort(out)
	return out
}

// formatFloat renders an optional float for failure messages.
func formatFloat(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
