package demo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/demo"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/store/memory"
)

func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Load(ctx, st, tax)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Regions != 81+12 {
		t.Errorf("regions = %d, want 81 provinces and 12 Bezirke", sum.Regions)
	}
	if sum.Institutions != 205 {
		t.Errorf("institutions = %d, want 205", sum.Institutions)
	}
	ist, err := st.Region(ctx, demo.ProvinceLevel, "34")
	if err != nil || ist.Name != "İstanbul" || ist.Attrs["nuts3"] != "TR100" {
		t.Errorf("province 34 = %+v, %v; want İstanbul with NUTS TR100", ist, err)
	}

	berlin, err := st.DatasetByName(ctx, demo.BerlinDataset)
	if err != nil {
		t.Fatal(err)
	}
	if berlin.Visibility != kume.Public || berlin.Attribution == "" {
		t.Errorf("berlin dataset %+v: want public with attribution", berlin)
	}
	// About 12,700 registrations and 7,800 deregistrations, a few hundred of
	// them the same businesses, minus rows without coordinates.
	if berlin.Count < 18000 || berlin.Count > 20500 {
		t.Errorf("berlin establishments = %d, want about 19,000", berlin.Count)
	}
	closed, active, aged := 0, 0, 0
	err = st.EachEstablishment(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{berlin.ID}}, func(e *kume.Establishment) error {
		if e.Closed != nil {
			closed++
		} else {
			active++
		}
		// No founding date is derived (see loadBerlin); the age in years
		// stays an attribute.
		if e.Founded != nil {
			t.Errorf("%s: founded %v", e.SourceID, e.Founded)
		}
		if e.Attrs["business_age"] != "" {
			aged++
		}
		if e.Lat < 52.3 || e.Lat > 52.7 || e.Lon < 13.0 || e.Lon > 13.8 {
			t.Errorf("%s at %v,%v: outside Berlin", e.SourceID, e.Lon, e.Lat)
		}
		if e.Cell == 0 {
			t.Errorf("%s: no H3 cell", e.SourceID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if closed < 7000 || active < 11000 {
		t.Errorf("closed %d, active %d: want about 7,500 closed and 12,000 active", closed, active)
	}
	if aged < closed+active-100 {
		t.Errorf("%d of %d businesses keep their business_age", aged, closed+active)
	}

	unis, err := st.DatasetByName(ctx, demo.UniversitiesDataset)
	if err != nil {
		t.Fatal(err)
	}
	es, err := st.Establishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{unis.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Kind != kume.KindInstitution || e.Type != kume.University || e.Precision != kume.PrecisionProvince {
			t.Errorf("%s: kind %s type %s precision %s; want a university placed at its province", e.Name, e.Kind, e.Type, e.Precision)
		}
	}

	// Loading again ends in the same state. (The monthly files replay in
	// order, so a business closed by a later file is reopened and closed
	// again on the way: updates, but no change at the end.)
	before := hashes(t, st)
	if _, err := demo.Load(ctx, st, tax); err != nil {
		t.Fatal(err)
	}
	after := hashes(t, st)
	if len(after) != len(before) {
		t.Fatalf("reload: %d establishments, want %d", len(after), len(before))
	}
	for k, h := range before {
		if after[k] != h {
			t.Errorf("reload changed %s", k)
		}
	}
}

// hashes returns the content hash of every establishment by dataset and source id.
func hashes(t *testing.T, st kume.Store) map[string]uint64 {
	out := map[string]uint64{}
	err := st.EachEstablishment(context.Background(), kume.EstablishmentFilter{}, func(e *kume.Establishment) error {
		out[fmt.Sprint(e.DatasetID, "/", e.SourceID)] = e.ContentHash()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBezirke checks the 12 Berlin districts: official keys, the names the
// businesses' Bezirk attribute uses, and boundaries that hold the businesses
// of their district.
func TestBezirke(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, tax); err != nil {
		t.Fatal(err)
	}
	rs, err := st.Regions(ctx, kume.RegionFilter{Level: demo.BezirkLevel})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 12 {
		t.Fatalf("%d Bezirke, want 12", len(rs))
	}
	byName := map[string]kume.Region{}
	for _, r := range rs {
		byName[r.Name] = r
		if len(r.Geometry) == 0 {
			t.Errorf("%s has no boundary", r.Name)
		}
	}
	if m := byName["Mitte"]; m.Code != "11000001" {
		t.Errorf("Mitte coded %q, want 11000001", m.Code)
	}
	if _, ok := byName["Tempelhof-Schöneberg"]; !ok {
		t.Errorf("no Tempelhof-Schöneberg among %v", byName)
	}
	berlin, err := st.DatasetByName(ctx, demo.BerlinDataset)
	if err != nil {
		t.Fatal(err)
	}
	// Every business that names its district lies in that district's
	// boundary, but for a few placed on or just across a border.
	in, out, named := 0, 0, 0
	err = st.EachEstablishment(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{berlin.ID}}, func(e *kume.Establishment) error {
		r, ok := byName[e.Attrs["Bezirk"]]
		if !ok {
			return nil
		}
		named++
		if planar.MultiPolygonContains(r.Geometry, orb.Point{e.Lon, e.Lat}) {
			in++
		} else {
			out++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if named < 18000 || out > named/100 {
		t.Errorf("%d businesses name a Bezirk, %d lie inside it, %d outside: want nearly all inside", named, in, out)
	}
}
