package kume_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kume-geo/kume"
)

func TestErrorCodeAndMessage(t *testing.T) {
	tests := []struct {
		err      error
		code     string
		message  string
		wantText string
	}{
		{nil, "", "", ""},
		{kume.Errorf(kume.ENOTFOUND, "dataset %d not found", 7), kume.ENOTFOUND, "dataset 7 not found", "not_found"},
		{fmt.Errorf("store: %w", kume.Errorf(kume.EINVALID, "bad bbox")), kume.EINVALID, "bad bbox", "invalid"},
		{errors.New("pq: relation \"x\" does not exist"), kume.EINTERNAL, "internal error", ""},
	}
	for _, tt := range tests {
		if got := kume.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := kume.ErrorMessage(tt.err); got != tt.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.message)
		}
	}
}

func TestEmployeesEstimate(t *testing.T) {
	tests := []struct {
		e     kume.Employees
		want  float64
		known bool
		exact bool
	}{
		{kume.Employees{}, 0, false, false},
		{kume.ExactEmployees(12), 12, true, true},
		{kume.EmployeeBand(1, 9), 5, true, false},
		{kume.EmployeeBand(10, 49), 29.5, true, false},
		{kume.EmployeeBand(1000, -1), 1500, true, false},
		{kume.ExactEmployees(0), 0, true, true},
	}
	for _, tt := range tests {
		got, ok := tt.e.Estimate()
		if got != tt.want || ok != tt.known || tt.e.Exact() != tt.exact {
			t.Errorf("%+v: Estimate() = %v, %v; Exact() = %v; want %v, %v, %v", tt.e, got, ok, tt.e.Exact(), tt.want, tt.known, tt.exact)
		}
	}
}

func TestScopeAllows(t *testing.T) {
	tests := []struct {
		have, need kume.Scope
		want       bool
	}{
		{kume.ScopeRead, kume.ScopeRead, true},
		{kume.ScopeRead, kume.ScopeWrite, false},
		{kume.ScopeWrite, kume.ScopeRead, true},
		{kume.ScopeAdmin, kume.ScopeWrite, true},
		{kume.ScopeWrite, kume.ScopeAdmin, false},
		{"", kume.ScopeRead, false},
		{kume.ScopeAdmin, "", false},
	}
	for _, tt := range tests {
		if got := tt.have.Allows(tt.need); got != tt.want {
			t.Errorf("%q.Allows(%q) = %v, want %v", tt.have, tt.need, got, tt.want)
		}
	}
}

func TestPrecisionRank(t *testing.T) {
	prev := -1
	for _, p := range kume.Precisions() {
		if r := p.Rank(); r <= prev || !p.Valid() {
			t.Fatalf("%s: rank %d after %d", p, r, prev)
		} else {
			prev = r
		}
	}
	if kume.Precision("rooftop").Valid() {
		t.Error("unknown precision valid")
	}
}

func TestInstitutionTypes(t *testing.T) {
	sites := 0
	for _, it := range kume.InstitutionTypes() {
		if !it.Valid() {
			t.Errorf("%s not valid", it)
		}
		if it.IsSite() {
			sites++
		}
	}
	if sites != 4 {
		t.Errorf("%d site types, want 4 (osb, technopark, incubator, free_zone)", sites)
	}
	if kume.University.IsSite() || !kume.OSB.IsSite() {
		t.Error("IsSite wrong for university or osb")
	}
}

func TestActiveAt(t *testing.T) {
	day := func(s string) *time.Time { t, _ := time.Parse("2006-01-02", s); return &t }
	e := kume.Establishment{Founded: day("2020-01-01"), Closed: day("2023-06-30")}
	for at, want := range map[string]bool{"2019-12-31": false, "2020-01-01": true, "2023-06-29": true, "2023-06-30": false} {
		if got := e.ActiveAt(*day(at)); got != want {
			t.Errorf("ActiveAt(%s) = %v, want %v", at, got, want)
		}
	}
}

func TestContentHash(t *testing.T) {
	base := kume.Establishment{SourceID: "a", Name: "Dokuma A.Ş.", Kind: kume.KindFirm, NACE: "13.20",
		Employees: kume.EmployeeBand(10, 49), Lon: 29.06, Lat: 40.18, Precision: kume.PrecisionAddress,
		Attrs: map[string]string{"x": "1", "y": "2"}}
	h := base.ContentHash()
	same := base
	same.ID, same.DatasetID, same.Cell = 99, 3, 12345
	same.Attrs = map[string]string{"y": "2", "x": "1"}
	if same.ContentHash() != h {
		t.Error("hash depends on ID, DatasetID, Cell or map order")
	}
	closed := time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)
	changes := []func(e *kume.Establishment){
		func(e *kume.Establishment) { e.Name = "Dokuma A.S." },
		func(e *kume.Establishment) { e.NACE = "13.30" },
		func(e *kume.Establishment) { e.Employees = kume.EmployeeBand(10, 50) },
		func(e *kume.Establishment) { e.Closed = &closed },
		func(e *kume.Establishment) { e.Lat = 40.1800001 },
		func(e *kume.Establishment) { e.Attrs = map[string]string{"x": "1", "y": "3"} },
		func(e *kume.Establishment) { e.Attrs = map[string]string{"x": "1y", "": "2"} },
		func(e *kume.Establishment) { e.Address.Street = "a"; e.Address.Postcode = "" },
	}
	for i, change := range changes {
		e := base
		e.Attrs = map[string]string{"x": "1", "y": "2"}
		change(&e)
		if e.ContentHash() == h {
			t.Errorf("change %d did not change the hash", i)
		}
	}
}
