package layer_test

import (
	"slices"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

func ptr(v float64) *float64 { return &v }

// shown returns the properties of x that Each gives a value on face.
func shown[T any](l *layer.Layer[T], face layer.Face, public bool, x *T) []string {
	var out []string
	l.Each(face, public, x, func(p *layer.Property, v any) {
		if v != nil && v != (*float64)(nil) {
			out = append(out, p.Name)
		}
	})
	return out
}

// TestPublicView: a suppressed aggregate shows an anonymous caller its
// identity and suppressed, on every face and in JSON; a caller with a key, and
// an aggregate that is not suppressed, show everything.
func TestPublicView(t *testing.T) {
	cell := kume.CellStat{Res: 7, Cell: 0x871ec9000ffffff, Sector: "13", Firms: 2, Employees: 40, Imprecise: 1,
		LQ: ptr(3), GiZ: ptr(2.1), GiP: ptr(0.03), GiBin: 2, Suppressed: true}
	hex := layer.HexagonLayer()
	for _, tc := range []struct {
		face layer.Face
		want []string
	}{
		{layer.Tile, []string{"cell", "res", "suppressed"}},
		{layer.Feature, []string{"cell", "res", "sector", "suppressed"}},
	} {
		if got := shown(hex, tc.face, true, &cell); !slices.Equal(got, tc.want) {
			t.Errorf("suppressed hexagon, face %d, public: %v, want %v", tc.face, got, tc.want)
		}
		if got, all := shown(hex, tc.face, false, &cell), hex.Names(tc.face); !slices.Equal(got, all) {
			t.Errorf("suppressed hexagon, face %d, with a key: %v, want %v", tc.face, got, all)
		}
		open := cell
		open.Suppressed = false
		if got, all := shown(hex, tc.face, true, &open), hex.Names(tc.face); !slices.Equal(got, all) {
			t.Errorf("hexagon not suppressed, face %d, public: %v, want %v", tc.face, got, all)
		}
	}

	cl := kume.Cluster{ID: "13-7-x", Name: "Bursa – Textiles", NameTR: "Bursa – Tekstil", Place: "Bursa", Method: "specialisation", Sector: "13", Res: 7, Cells: []uint64{1, 2}, Firms: 2, Employees: 9,
		LQ: ptr(4), Share: 0.5, Stars: 2, Suppressed: true, Completeness: ptr(0.75),
		InstitutionsInside: map[kume.InstitutionType]int{"university": 1}}
	cls := layer.ClusterLayer()
	if got, want := shown(cls, layer.Tile, true, &cl), []string{"id", "name", "name_tr", "place", "sector", "res", "suppressed"}; !slices.Equal(got, want) {
		t.Errorf("suppressed cluster in a tile: %v, want %v", got, want)
	}
	if got, want := shown(cls, layer.Feature, true, &cl), []string{"id", "name", "name_tr", "place", "sector", "res", "cells", "method", "suppressed"}; !slices.Equal(got, want) {
		t.Errorf("suppressed cluster in a feature: %v, want %v", got, want)
	}
	m := map[string]any{"id": "x", "name": "n", "sector": "13", "res": 7, "cells": []string{"a"}, "geometry": "g",
		"firms": 2, "stars": 2, "institutions_inside": map[string]int{}, "profile": "{}", "completeness": 0.75,
		"roles_missing": []string{"supplier"}, "a_property_added_later": 1, "suppressed": true}
	cls.MaskJSON(m, true, true)
	for k, v := range m {
		identity := slices.Contains([]string{"id", "name", "name_tr", "place", "sector", "res", "cells", "method", "geometry", "suppressed"}, k)
		if identity == (v == nil) {
			t.Errorf("cluster JSON, public: %s = %v", k, v)
		}
	}

	reg := layer.RegionFeature{Region: &kume.Region{Code: "16", Name: "Bursa", Level: "province"}, Sector: "13",
		Stat: &kume.RegionStat{Level: "province", Code: "16", Sector: "13", Firms: 1, Stars: 3, Strong: true, Entries: 1, Suppressed: true}}
	regs := layer.RegionLayer()
	if got, want := shown(regs, layer.Tile, true, &reg), []string{"code", "name", "level", "suppressed"}; !slices.Equal(got, want) {
		t.Errorf("suppressed region in a tile: %v, want %v", got, want)
	}
	if got, want := shown(regs, layer.Feature, true, &reg), []string{"code", "name", "level", "parent", "sector", "suppressed"}; !slices.Equal(got, want) {
		t.Errorf("suppressed region in a feature: %v, want %v", got, want)
	}
}

// TestIdentityProperties pins the identity properties that docs/API.md lists.
func TestIdentityProperties(t *testing.T) {
	want := map[string][]string{
		layer.Hexagons: {"cell", "res", "sector", "suppressed"},
		layer.Clusters: {"id", "name", "name_tr", "place", "sector", "res", "cells", "method", "suppressed"},
		layer.Regions:  {"code", "name", "level", "parent", "sector", "suppressed"},
	}
	for name, w := range want {
		var got []string
		for _, p := range layer.Properties(name, layer.Both) {
			if p.Identity {
				got = append(got, p.Name)
			}
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s: identity %v, want %v", name, got, w)
		}
	}
}

// TestProperties: every layer has properties on both faces, names unique on
// each face, known types, a description and a value for each face.
func TestProperties(t *testing.T) {
	for _, name := range layer.Names() {
		if !layer.Valid(name) || layer.Describe(name) == "" {
			t.Errorf("%s: not valid or no description", name)
		}
		for _, face := range []layer.Face{layer.Tile, layer.Feature} {
			ps := layer.Properties(name, face)
			if len(ps) == 0 {
				t.Errorf("%s: no properties on face %d", name, face)
			}
			seen := map[string]bool{}
			for _, p := range ps {
				if seen[p.Name] || p.Description == "" || !slices.Contains([]layer.Type{layer.String, layer.Integer, layer.Number, layer.Boolean}, p.Type) {
					t.Errorf("%s: property %+v", name, p)
				}
				seen[p.Name] = true
			}
		}
	}
	if layer.Valid("streets") || layer.Properties("streets", layer.Both) != nil {
		t.Error("unknown layer accepted")
	}
}

func TestEmployeeBand(t *testing.T) {
	for _, tc := range []struct {
		e    kume.Employees
		want string
	}{
		{kume.Employees{}, ""},
		{kume.Employees{Known: true, Low: 0, High: 0}, "0"},
		{kume.Employees{Known: true, Low: 7, High: 7}, "1-9"},
		{kume.Employees{Known: true, Low: 49, High: 49}, "10-49"},
		{kume.Employees{Known: true, Low: 250, High: 250}, "250+"},
		{kume.Employees{Known: true, Low: 1, High: 9}, "1-9"},
		{kume.Employees{Known: true, Low: 500, High: -1}, "500+"},
	} {
		if got := layer.EmployeeBand(tc.e); got != tc.want {
			t.Errorf("EmployeeBand(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
}
