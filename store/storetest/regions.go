package storetest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// square returns a closed counter-clockwise ring around (lon, lat).
func square(lon, lat, half float64) orb.Ring {
	return orb.Ring{{lon - half, lat - half}, {lon + half, lat - half}, {lon + half, lat + half},
		{lon - half, lat + half}, {lon - half, lat - half}}
}

// hole returns a closed clockwise ring around (lon, lat).
func hole(lon, lat, half float64) orb.Ring {
	r := square(lon, lat, half)
	slices.Reverse(r)
	return r
}

// Regions returns hand-written regions at two levels; "16" is a multipolygon
// with a hole and an island.
func Regions() []kume.Region {
	return []kume.Region{
		{Code: "16", Name: "Bursa", Level: "province",
			Geometry: orb.MultiPolygon{
				{square(29.0, 40.2, 0.5), hole(29.0, 40.2, 0.1)},
				{square(28.3, 40.6, 0.05)},
			},
			Attrs: map[string]string{"nuts2": "TR41", "plate": "16"}},
		{Code: "34", Name: "İstanbul", Level: "province",
			Geometry: orb.MultiPolygon{{square(28.97, 41.01, 0.6)}}},
		{Code: "20", Name: "Denizli", Level: "province",
			Geometry: orb.MultiPolygon{{square(29.09, 37.78, 0.4)}}},
		{Code: "1609", Name: "Nilüfer", Level: "district", Parent: "16",
			Geometry: orb.MultiPolygon{{square(28.95, 40.22, 0.08)}}},
	}
}

func testRegions(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	list, err := s.Regions(ctx, kume.RegionFilter{})
	must(t, err, "Regions on an empty store")
	if len(list) != 0 {
		t.Fatalf("empty store has %d regions", len(list))
	}
	_, err = s.Region(ctx, "province", "16")
	wantCode(t, err, kume.ENOTFOUND, "Region before PutRegions")
	must(t, s.PutRegions(ctx, Regions()), "PutRegions")

	byKey := map[string]kume.Region{}
	for _, r := range Regions() {
		byKey[r.Level+"/"+r.Code] = r
	}
	for k, want := range byKey {
		got, err := s.Region(ctx, want.Level, want.Code)
		must(t, err, "Region "+k)
		assertRegion(t, "Region "+k, *got, want)
	}
	_, err = s.Region(ctx, "district", "16")
	wantCode(t, err, kume.ENOTFOUND, "Region(wrong level)")

	bursaBox := orb.Bound{Min: orb.Point{28.9, 40.1}, Max: orb.Point{29.1, 40.3}}
	touch := orb.Bound{Min: orb.Point{29.5, 40.0}, Max: orb.Point{30, 40.1}} // touches 16's east edge
	cases := []struct {
		name string
		f    kume.RegionFilter
		want []string
	}{
		{"All", kume.RegionFilter{}, []string{"district/1609", "province/16", "province/20", "province/34"}},
		{"Level", kume.RegionFilter{Level: "province"}, []string{"province/16", "province/20", "province/34"}},
		{"Codes", kume.RegionFilter{Codes: []string{"34", "1609", "99"}}, []string{"district/1609", "province/34"}},
		{"LevelAndCodes", kume.RegionFilter{Level: "province", Codes: []string{"34", "1609"}}, []string{"province/34"}},
		{"BBox", kume.RegionFilter{BBox: &bursaBox}, []string{"district/1609", "province/16"}},
		{"BBoxTouching", kume.RegionFilter{BBox: &touch}, []string{"province/16"}},
		{"BBoxNothing", kume.RegionFilter{BBox: &orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}}, nil},
		{"UnknownLevel", kume.RegionFilter{Level: "nuts3"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Regions(ctx, c.f)
			must(t, err, "Regions")
			var keys []string
			for _, r := range got {
				k := r.Level + "/" + r.Code
				keys = append(keys, k)
				assertRegion(t, k, r, byKey[k])
			}
			if !slices.Equal(keys, c.want) {
				t.Errorf("Regions = %v, want %v (ordered by level and code)", keys, c.want)
			}
		})
	}

	// PutRegions replaces by level and code and keeps the others.
	repl := []kume.Region{
		{Code: "16", Name: "Bursa (new)", Level: "province", Geometry: orb.MultiPolygon{{square(29, 40, 1)}}},
		{Code: "16", Name: "Bursa NUTS", Level: "nuts3", Geometry: orb.MultiPolygon{{square(29, 40, 1)}}},
	}
	must(t, s.PutRegions(ctx, repl), "PutRegions again")
	got, err := s.Region(ctx, "province", "16")
	must(t, err, "Region")
	assertRegion(t, "replaced region", *got, repl[0])
	all, err := s.Regions(ctx, kume.RegionFilter{})
	must(t, err, "Regions")
	if len(all) != 5 {
		t.Errorf("%d regions after replacing one and adding one to four, want 5", len(all))
	}
	must(t, s.PutRegions(ctx, nil), "PutRegions(nil)")
}

func assertRegion(t testing.TB, what string, got, want kume.Region) {
	t.Helper()
	if !reflect.DeepEqual(normalizeRegion(got), normalizeRegion(want)) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}
