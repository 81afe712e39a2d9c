package storetest

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

func testEstablishments(t *testing.T, open Opener) {
	f := loadFixture(t, open)
	t.Run("Filters", func(t *testing.T) { testFilters(t, f) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, f) })
	t.Run("Each", func(t *testing.T) { testEach(t, f) })
	t.Run("ByID", func(t *testing.T) {
		for k, e := range f.bySource {
			got, err := f.s.Establishment(t.Context(), e.ID)
			must(t, err, "Establishment "+k)
			AssertSameEstablishment(t, "Establishment "+k, *got, e)
		}
		var maxID int64
		for _, e := range f.bySource {
			maxID = max(maxID, e.ID)
		}
		for _, id := range []int64{0, -1, maxID + 1} {
			_, err := f.s.Establishment(t.Context(), id)
			wantCode(t, err, kume.ENOTFOUND, "Establishment(missing)")
		}
	})
}

func testFilters(t *testing.T, f *fixture) {
	ids := func(ds ...*kume.Dataset) []int64 {
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	all := []string{"priv:a1", "priv:b2", "pub:a1", "pub:a2", "pub:a3", "pub:a4", "pub:a5", "pub:a6", "pub:a7"}
	bbox := orb.Bound{Min: orb.Point{29.0, 40.0}, Max: orb.Point{29.08, 40.20}}
	newYear := date(2020, 1, 1, 0, 0, 0, 0)
	foundedA1 := date(2010, 5, 1, 0, 0, 0, 0).In(istanbul())
	cases := []struct {
		name string
		f    kume.EstablishmentFilter
		want []string
	}{
		{"All", kume.EstablishmentFilter{}, all},
		{"PublicDataset", kume.EstablishmentFilter{DatasetIDs: ids(f.pub)},
			[]string{"pub:a1", "pub:a2", "pub:a3", "pub:a4", "pub:a5", "pub:a6", "pub:a7"}},
		{"PrivateDataset", kume.EstablishmentFilter{DatasetIDs: ids(f.priv)}, []string{"priv:a1", "priv:b2"}},
		{"BothDatasets", kume.EstablishmentFilter{DatasetIDs: ids(f.priv, f.pub)}, all},
		{"MissingDataset", kume.EstablishmentFilter{DatasetIDs: []int64{f.pub.ID + f.priv.ID + 100}}, nil},
		{"NACEDivision", kume.EstablishmentFilter{NACEPrefixes: []string{"13"}},
			[]string{"priv:a1", "pub:a1", "pub:a2"}},
		{"NACEOneDigitIsLiteral", kume.EstablishmentFilter{NACEPrefixes: []string{"1"}},
			[]string{"priv:a1", "pub:a1", "pub:a2", "pub:a3", "pub:a7"}},
		{"NACEGroupAndOther", kume.EstablishmentFilter{NACEPrefixes: []string{"13.2", "85"}},
			[]string{"priv:a1", "pub:a1", "pub:a4"}},
		{"NACEClass", kume.EstablishmentFilter{NACEPrefixes: []string{"13.20"}}, []string{"priv:a1", "pub:a1"}},
		{"NACENoMatch", kume.EstablishmentFilter{NACEPrefixes: []string{"13.201", "99"}}, nil},
		{"KindInstitution", kume.EstablishmentFilter{Kind: kume.KindInstitution},
			[]string{"priv:b2", "pub:a4", "pub:a6"}},
		{"KindFirm", kume.EstablishmentFilter{Kind: kume.KindFirm},
			[]string{"priv:a1", "pub:a1", "pub:a2", "pub:a3", "pub:a5", "pub:a7"}},
		{"Type", kume.EstablishmentFilter{Type: kume.University}, []string{"pub:a4"}},
		{"TypeSite", kume.EstablishmentFilter{Kind: kume.KindInstitution, Type: kume.OSB}, []string{"pub:a6"}},
		{"KindFirmTypeUniversity", kume.EstablishmentFilter{Kind: kume.KindFirm, Type: kume.University}, nil},
		{"BBoxInclusive", kume.EstablishmentFilter{BBox: &bbox},
			[]string{"priv:a1", "priv:b2", "pub:a1", "pub:a2", "pub:a5"}},
		{"BBoxPoint", kume.EstablishmentFilter{BBox: &orb.Bound{Min: orb.Point{29.0, 40.0}, Max: orb.Point{29.0, 40.0}}},
			[]string{"pub:a5"}},
		{"BBoxEmptyArea", kume.EstablishmentFilter{BBox: &orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}}, nil},
		{"BBoxWide", kume.EstablishmentFilter{BBox: &orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}, all},
		{"ActiveAtNewYear2020", kume.EstablishmentFilter{ActiveAt: &newYear},
			// a2 closed exactly then, a5 founded later.
			[]string{"priv:a1", "priv:b2", "pub:a1", "pub:a3", "pub:a4", "pub:a6", "pub:a7"}},
		{"ActiveAtFoundingInstant", kume.EstablishmentFilter{ActiveAt: &foundedA1, DatasetIDs: ids(f.pub)},
			[]string{"pub:a1", "pub:a3", "pub:a4", "pub:a6", "pub:a7"}},
		{"PublicOnly", kume.EstablishmentFilter{PublicOnly: true},
			[]string{"pub:a1", "pub:a2", "pub:a3", "pub:a4", "pub:a5", "pub:a6", "pub:a7"}},
		{"PublicOnlyPrivateDataset", kume.EstablishmentFilter{PublicOnly: true, DatasetIDs: ids(f.priv)}, nil},
		{"Combined", kume.EstablishmentFilter{NACEPrefixes: []string{"13"}, BBox: &bbox, PublicOnly: true,
			Kind: kume.KindFirm, ActiveAt: &newYear}, []string{"pub:a1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			rows, err := f.s.Establishments(ctx, c.f)
			must(t, err, "Establishments")
			assertSortedByID(t, c.name, rows)
			if got := f.keys(rows); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("Establishments = %v, want %v", got, c.want)
			}
			for _, e := range rows {
				AssertSameEstablishment(t, "row "+f.key(e), e, f.bySource[f.key(e)])
			}
			n, err := f.s.CountEstablishments(ctx, c.f)
			must(t, err, "CountEstablishments")
			if n != len(c.want) {
				t.Errorf("CountEstablishments = %d, want %d", n, len(c.want))
			}
			// Count ignores Limit and AfterID.
			lf := c.f
			lf.Limit, lf.AfterID = 1, 1<<62
			n, err = f.s.CountEstablishments(ctx, lf)
			must(t, err, "CountEstablishments with Limit")
			if n != len(c.want) {
				t.Errorf("CountEstablishments with Limit/AfterID = %d, want %d", n, len(c.want))
			}
			var streamed []kume.Establishment
			err = f.s.EachEstablishment(ctx, c.f, func(e *kume.Establishment) error {
				streamed = append(streamed, *e)
				return nil
			})
			must(t, err, "EachEstablishment")
			if !reflect.DeepEqual(streamed, rows) && !(len(streamed) == 0 && len(rows) == 0) {
				t.Errorf("EachEstablishment streamed %v, Establishments returned %v", f.keys(streamed), f.keys(rows))
			}
		})
	}
}

func testPaging(t *testing.T, f *fixture) {
	ctx := t.Context()
	all, err := f.s.Establishments(ctx, kume.EstablishmentFilter{})
	must(t, err, "Establishments")
	for _, limit := range []int{1, 2, 4, 9, 10} {
		var walked []kume.Establishment
		var after int64
		for page := 0; ; page++ {
			if page > len(all)+1 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			rows, err := f.s.Establishments(ctx, kume.EstablishmentFilter{AfterID: after, Limit: limit})
			must(t, err, "Establishments page")
			if len(rows) > limit {
				t.Fatalf("limit %d: page of %d rows", limit, len(rows))
			}
			if len(rows) == 0 {
				break
			}
			walked = append(walked, rows...)
			after = rows[len(rows)-1].ID
		}
		if !reflect.DeepEqual(walked, all) {
			t.Errorf("limit %d: paging walked %v, want %v", limit, f.keys(walked), f.keys(all))
		}
	}
	// Paging walks a bounding-box query the same way.
	box := orb.Bound{Min: orb.Point{28, 37}, Max: orb.Point{30, 41}}
	inBox, err := f.s.Establishments(ctx, kume.EstablishmentFilter{BBox: &box})
	must(t, err, "Establishments")
	var walked []kume.Establishment
	for after := int64(0); ; {
		rows, err := f.s.Establishments(ctx, kume.EstablishmentFilter{BBox: &box, AfterID: after, Limit: 2})
		must(t, err, "Establishments page")
		if len(rows) == 0 || len(walked) > len(inBox) {
			break
		}
		walked = append(walked, rows...)
		after = rows[len(rows)-1].ID
	}
	if len(inBox) != 7 || !reflect.DeepEqual(walked, inBox) {
		t.Errorf("bbox paging walked %v, want %v (7 rows)", f.keys(walked), f.keys(inBox))
	}
	// Paging combines with filters, and AfterID need not be an existing id.
	pub, err := f.s.Establishments(ctx, kume.EstablishmentFilter{PublicOnly: true})
	must(t, err, "Establishments")
	rows, err := f.s.Establishments(ctx, kume.EstablishmentFilter{PublicOnly: true, AfterID: pub[1].ID, Limit: 2})
	must(t, err, "Establishments")
	if !reflect.DeepEqual(rows, pub[2:4]) {
		t.Errorf("PublicOnly page after %d = %v, want %v", pub[1].ID, f.keys(rows), f.keys(pub[2:4]))
	}
	rows, err = f.s.Establishments(ctx, kume.EstablishmentFilter{AfterID: all[len(all)-1].ID})
	must(t, err, "Establishments")
	if len(rows) != 0 {
		t.Errorf("page after the last id has %d rows", len(rows))
	}
}

func testEach(t *testing.T, f *fixture) {
	ctx := t.Context()
	all, err := f.s.Establishments(ctx, kume.EstablishmentFilter{})
	must(t, err, "Establishments")
	stop := errors.New("stop here")
	var seen []int64
	err = f.s.EachEstablishment(ctx, kume.EstablishmentFilter{}, func(e *kume.Establishment) error {
		seen = append(seen, e.ID)
		if len(seen) == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("EachEstablishment returned %v, want the callback's error", err)
	}
	if len(seen) != 3 || seen[0] != all[0].ID || seen[2] != all[2].ID {
		t.Errorf("EachEstablishment called back for %v, want the first 3 ids in order", seen)
	}
	// Paging fields apply to the stream too.
	var paged []int64
	err = f.s.EachEstablishment(ctx, kume.EstablishmentFilter{AfterID: all[0].ID, Limit: 2},
		func(e *kume.Establishment) error { paged = append(paged, e.ID); return nil })
	must(t, err, "EachEstablishment")
	if !slices.Equal(paged, []int64{all[1].ID, all[2].ID}) {
		t.Errorf("EachEstablishment with AfterID/Limit = %v", paged)
	}
	// A lean stream carries what the analysis reads as the full rows do.
	i := 0
	err = f.s.EachEstablishment(ctx, kume.EstablishmentFilter{Lean: true}, func(e *kume.Establishment) error {
		if i >= len(all) {
			return errors.New("more rows than Establishments returns")
		}
		w := &all[i]
		i++
		same := e.ID == w.ID && e.Kind == w.Kind && e.Type == w.Type && e.NACE == w.NACE &&
			e.Employees == w.Employees && sameTime(e.Founded, w.Founded) && sameTime(e.Closed, w.Closed) &&
			e.Lon == w.Lon && e.Lat == w.Lat && e.Precision == w.Precision && e.Cell == w.Cell &&
			maps.Equal(e.Attrs, w.Attrs)
		if !same {
			t.Errorf("lean row %+v, full row %+v", *e, *w)
		}
		return nil
	})
	must(t, err, "EachEstablishment (lean)")
	if i != len(all) {
		t.Errorf("lean stream: %d rows, want %d", i, len(all))
	}
	// Changing the value handed to the callback does not change the store.
	err = f.s.EachEstablishment(ctx, kume.EstablishmentFilter{}, func(e *kume.Establishment) error {
		e.Name = "scribbled"
		if e.Attrs != nil {
			e.Attrs["scribbled"] = "yes"
		}
		if e.Founded != nil {
			*e.Founded = time.Time{}
		}
		return nil
	})
	must(t, err, "EachEstablishment")
	again, err := f.s.Establishments(ctx, kume.EstablishmentFilter{})
	must(t, err, "Establishments")
	for _, e := range again {
		want := f.inputByKey[f.key(e)]
		want.ID, want.DatasetID = e.ID, e.DatasetID
		AssertSameEstablishment(t, "after changing handed-out values", e, want)
	}
	// So does changing what Establishments returned.
	for i := range again {
		again[i].Attrs = nil
		if all[i].Attrs != nil {
			all[i].Attrs["scribbled"] = "again"
		}
		if all[i].Closed != nil {
			*all[i].Closed = time.Time{}
		}
	}
	e, err := f.s.Establishment(ctx, f.bySource["pub:a1"].ID)
	must(t, err, "Establishment")
	e.Attrs["scribbled"] = "by Establishment"
	for _, k := range []string{"pub:a1", "pub:a2"} {
		got, err := f.s.Establishment(ctx, f.bySource[k].ID)
		must(t, err, "Establishment")
		want := f.inputByKey[k]
		want.ID, want.DatasetID = got.ID, got.DatasetID
		AssertSameEstablishment(t, "after changing returned values", *got, want)
	}
}

// sameTime reports whether two optional times are both nil or the same instant.
func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}
