package api

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
)

// FuzzEmergingParams feeds query strings to the parameter parsing of GET
// /emerging: every query is either an EINVALID error or a request whose
// options validate (the span they resolve to is fuzzed in package emerging).
func FuzzEmergingParams(f *testing.F) {
	for _, seed := range []string{
		"sector=13&res=7&step=year&from=2015&to=2024", "step=quarter&from=2015-Q2&to=2016-04-30", "step=month&from=2024-02",
		"alpha=0.05&fdr=false&window=0&k=3", "alpha=1e-1", "alpha=.01", "measure=employment&undated=omit",
		"from=2024&to=2015", "to=9999-12-31", "from=0001", "res=-1", "k=11", "window=24", "sector=vc:x", "bbox=1,2,3,4",
		"step=month&from=1975-01&to=2024-12", "to=2015-Q4&step=month", "features=false", "dataset=nope",
	} {
		f.Add(seed)
	}
	s, _ := storeServer(f, memory.New())
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/api/v1/emerging", nil)
		r.URL.RawQuery = raw
		p, err := parseParams(r, emergingParamNames...)
		if err != nil {
			return
		}
		req, err := s.parseEmerging(context.Background(), r, p)
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("%q: %v is not EINVALID", raw, err)
			}
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("%q: request %+v accepted but invalid: %v", raw, req, err)
		}
	})
}
