package kume_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
)

// accessWorld is one public and two private datasets.
var (
	pubDS   = &kume.Dataset{ID: 1, Name: "open", Visibility: kume.Public}
	privA   = &kume.Dataset{ID: 2, Name: "agency-a", Visibility: kume.Private}
	privB   = &kume.Dataset{ID: 3, Name: "agency-b", Visibility: kume.Private}
	allDS   = []*kume.Dataset{pubDS, privA, privB}
	readA   = &kume.APIKey{ID: 1, Scope: kume.ScopeRead, Grants: []kume.Grant{{DatasetID: 2, Right: kume.RightRead}}}
	writeA  = &kume.APIKey{ID: 2, Scope: kume.ScopeWrite, Grants: []kume.Grant{{DatasetID: 2, Right: kume.RightWrite}}}
	readAw  = &kume.APIKey{ID: 3, Scope: kume.ScopeRead, Grants: []kume.Grant{{DatasetID: 2, Right: kume.RightWrite}}}
	plain   = &kume.APIKey{ID: 4, Scope: kume.ScopeWrite}
	adminK  = &kume.APIKey{ID: 5, Scope: kume.ScopeAdmin}
	readPub = &kume.APIKey{ID: 6, Scope: kume.ScopeRead, Grants: []kume.Grant{{DatasetID: 1, Right: kume.RightRead}}}
)

func TestAccessReadWrite(t *testing.T) {
	tests := []struct {
		name      string
		key       *kume.APIKey
		read      []int64 // of allDS
		write     []int64
		granted   []int64
		accessKey string
	}{
		{"anonymous", nil, []int64{1}, nil, nil, ""},
		{"write key without grants", plain, []int64{1}, nil, nil, ""},
		{"read key granted A", readA, []int64{1, 2}, nil, []int64{2}, "2"},
		{"write key granted write on A", writeA, []int64{1, 2}, []int64{2}, []int64{2}, "2"},
		{"read key with a write grant reads only", readAw, []int64{1, 2}, nil, []int64{2}, "2"},
		{"admin", adminK, []int64{1, 2, 3}, []int64{1, 2, 3}, nil, "all"},
		{"grant on a public dataset", readPub, []int64{1}, nil, []int64{1}, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := kume.AccessOf(tt.key)
			var read, write []int64
			for _, d := range allDS {
				if a.CanRead(d) {
					read = append(read, d.ID)
				}
				if a.CanWrite(d) {
					write = append(write, d.ID)
				}
			}
			if !slices.Equal(read, tt.read) || !slices.Equal(write, tt.write) {
				t.Errorf("reads %v, writes %v; want %v and %v", read, write, tt.read, tt.write)
			}
			if g := a.Granted(); !slices.Equal(g, tt.granted) {
				t.Errorf("Granted() = %v, want %v", g, tt.granted)
			}
			if k := a.Key(); k != tt.accessKey {
				t.Errorf("Key() = %q, want %q", k, tt.accessKey)
			}
			if a.Anonymous() != (tt.key == nil) || a.CanRead(nil) || a.CanWrite(nil) {
				t.Errorf("Anonymous() = %v or a nil dataset is readable", a.Anonymous())
			}
			f := kume.EstablishmentFilter{DatasetIDs: []int64{3}, PublicOnly: true, Granted: []int64{9}}
			a.Restrict(&f)
			if a.All() != (f.PublicOnly == false) || !slices.Equal(f.Granted, a.Granted()) || !slices.Equal(f.DatasetIDs, []int64{3}) {
				t.Errorf("Restrict gave %+v", f)
			}
		})
	}
}

func TestCheckGrant(t *testing.T) {
	tests := []struct {
		scope kume.Scope
		g     kume.Grant
		ok    bool
	}{
		{kume.ScopeRead, kume.Grant{DatasetID: 1, Right: kume.RightRead}, true},
		{kume.ScopeWrite, kume.Grant{DatasetID: 1, Right: kume.RightWrite}, true},
		{kume.ScopeWrite, kume.Grant{DatasetID: 1, Right: kume.RightRead}, true},
		{kume.ScopeRead, kume.Grant{DatasetID: 1, Right: kume.RightWrite}, false},
		{kume.ScopeAdmin, kume.Grant{DatasetID: 1, Right: kume.RightRead}, false},
		{kume.ScopeRead, kume.Grant{DatasetID: 0, Right: kume.RightRead}, false},
		{kume.ScopeRead, kume.Grant{DatasetID: 1, Right: "admin"}, false},
		{"root", kume.Grant{DatasetID: 1, Right: kume.RightRead}, false},
	}
	for _, tt := range tests {
		err := kume.CheckGrant(tt.scope, tt.g)
		if (err == nil) != tt.ok || (err != nil && kume.ErrorCode(err) != kume.EINVALID) {
			t.Errorf("CheckGrant(%s, %+v) = %v, want ok %v", tt.scope, tt.g, err, tt.ok)
		}
	}
	k := &kume.APIKey{Scope: kume.ScopeWrite, Grants: []kume.Grant{{DatasetID: 5, Right: kume.RightRead}, {DatasetID: 2, Right: kume.RightWrite}}}
	if err := kume.CheckKeyGrants(k); err != nil || k.Grants[0].DatasetID != 2 {
		t.Errorf("CheckKeyGrants = %v, grants %+v", err, k.Grants)
	}
	k.Grants = append(k.Grants, kume.Grant{DatasetID: 2, Right: kume.RightRead})
	if err := kume.CheckKeyGrants(k); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("two grants on one dataset: %v", err)
	}
}

func TestAnalysisScope(t *testing.T) {
	s := kume.DatasetsScope([]int64{12, 3, 12})
	if s != "datasets:3,12" || !slices.Equal(s.DatasetIDs(), []int64{3, 12}) || s.Check() != nil {
		t.Errorf("DatasetsScope = %q, ids %v, check %v", s, s.DatasetIDs(), s.Check())
	}
	for _, ok := range []kume.AnalysisScope{"", kume.AnalysisPublic, kume.AnalysisAll, "datasets:1"} {
		if err := ok.Check(); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []kume.AnalysisScope{"datasets:", "datasets:3,1", "datasets:0", "datasets:1,1", "datasets:x", "private", "datasets:01"} {
		if err := bad.Check(); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
	if kume.Scope("").Allows(kume.ScopeRead) || kume.AnalysisScope("").Norm() != kume.AnalysisPublic || kume.AnalysisAll.DatasetIDs() != nil {
		t.Error("scope helpers")
	}
}

// used returns the record of the datasets a run read.
func used(ds ...*kume.Dataset) []kume.AnalysisDataset {
	out := make([]kume.AnalysisDataset, len(ds))
	for i, d := range ds {
		out[i] = kume.AnalysisDataset{ID: d.ID, Name: d.Name, Visibility: d.Visibility}
	}
	return out
}

func TestChooseAnalysis(t *testing.T) {
	runs := []kume.AnalysisRun{
		{Version: 10, Scope: kume.AnalysisPublic, Datasets: used(pubDS)},
		{Version: 12, Scope: kume.DatasetsScope([]int64{1, 2}), Datasets: used(pubDS, privA)},
		{Version: 11, Scope: kume.AnalysisAll, Datasets: used(pubDS, privA, privB)},
		{Version: 13, Scope: kume.DatasetsScope([]int64{1}), Datasets: used(pubDS)}, // no private dataset: nobody's choice
	}
	tests := []struct {
		name string
		key  *kume.APIKey
		want int64
	}{
		{"anonymous", nil, 10},
		{"key without grants", plain, 10},
		{"granted A", readA, 12},
		{"write granted A", writeA, 12},
		{"admin: the newest with a private dataset", adminK, 12},
	}
	for _, tt := range tests {
		got := kume.ChooseAnalysis(runs, allDS, kume.AccessOf(tt.key))
		if got == nil || got.Version != tt.want {
			t.Errorf("%s: chose %+v, want version %d", tt.name, got, tt.want)
		}
	}
	// A dataset of the public analysis made private hides it from the public.
	madePrivate := []*kume.Dataset{{ID: 1, Name: "open", Visibility: kume.Private}, privA, privB}
	if got := kume.ChooseAnalysis(runs[:1], madePrivate, kume.AccessOf(nil)); got != nil {
		t.Errorf("public analysis of a dataset made private: chose %d", got.Version)
	}
	// A deleted dataset: public when read, still readable; private, only by an admin.
	if got := kume.ChooseAnalysis(runs[:1], []*kume.Dataset{privA}, kume.AccessOf(nil)); got == nil {
		t.Error("public analysis of a deleted public dataset is hidden")
	}
	gone := []kume.AnalysisRun{runs[0], {Version: 14, Scope: kume.AnalysisAll, Datasets: used(pubDS, privA, privB)}}
	if got := kume.ChooseAnalysis(gone, []*kume.Dataset{pubDS, privA}, kume.AccessOf(readA)); got.Version != 10 {
		t.Errorf("analysis of a deleted private dataset chosen for a granted key: %d", got.Version)
	}
	if got := kume.ChooseAnalysis(gone, []*kume.Dataset{pubDS, privA}, kume.AccessOf(adminK)); got.Version != 14 {
		t.Errorf("admin: chose %d, want 14", got.Version)
	}
	// A run saved before runs recorded their datasets is public.
	if got := kume.ChooseAnalysis([]kume.AnalysisRun{{Version: 3}}, allDS, kume.AccessOf(nil)); got == nil {
		t.Error("a legacy public run is hidden")
	}
	if got := kume.ChooseAnalysis(nil, allDS, kume.AccessOf(adminK)); got != nil {
		t.Errorf("no runs: chose %+v", got)
	}
}

// FuzzAnalysisScope reads arbitrary scopes: Check never panics, accepts only
// canonical forms, and a DatasetsScope it accepts is rebuilt from its ids.
func FuzzAnalysisScope(f *testing.F) {
	for _, s := range []string{"", "public", "all", "datasets:1", "datasets:1,2,30", "datasets:2,1", "datasets:", "datasets:01",
		"datasets:-1", "datasets:1,,2", "datasets:9223372036854775808", "datasets:1 ,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := kume.AnalysisScope(s)
		err := sc.Check()
		ids := sc.DatasetIDs()
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("Check(%q) = %v, want invalid", s, err)
			}
			return
		}
		switch sc {
		case "", kume.AnalysisPublic, kume.AnalysisAll:
			return
		}
		if len(ids) == 0 || kume.DatasetsScope(ids) != sc || !slices.IsSorted(ids) || ids[0] <= 0 {
			t.Fatalf("Check accepted %q with ids %v", s, ids)
		}
	})
}

// FuzzResolveScope resolves arbitrary dataset lists (the datasets parameter
// of POST /api/v1/analysis, kume analyze --datasets): a scope it returns is
// valid and names only existing datasets, one of them private.
func FuzzResolveScope(f *testing.F) {
	for _, s := range []string{"agency-a", "agency-a,open", "2,1", "open", "", ",", "nope", "agency-a,agency-a", " agency-b "} {
		f.Add(s, false)
	}
	f.Add("", true)
	f.Add("open", true)
	f.Fuzz(func(t *testing.T, list string, all bool) {
		var names []string
		if list != "" {
			names = strings.Split(list, ",")
		}
		sc, err := kume.ResolveScope(allDS, names, all)
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID {
				t.Fatalf("ResolveScope(%q, %v) = %v, want invalid", list, all, err)
			}
			return
		}
		if sc.Check() != nil {
			t.Fatalf("ResolveScope(%q, %v) = %q, not a valid scope", list, all, sc)
		}
		private := sc == kume.AnalysisAll
		for _, id := range sc.DatasetIDs() {
			i := slices.IndexFunc(allDS, func(d *kume.Dataset) bool { return d.ID == id })
			if i < 0 {
				t.Fatalf("ResolveScope(%q) names dataset %d", list, id)
			}
			private = private || allDS[i].Visibility == kume.Private
		}
		if sc != kume.AnalysisPublic && !private {
			t.Fatalf("ResolveScope(%q, %v) = %q reads no private dataset", list, all, sc)
		}
	})
}
