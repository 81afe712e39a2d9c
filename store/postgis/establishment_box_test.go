package postgis_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
)

// TestBoxMatchesFilter checks the bounding-box read through the latitude-band
// index against a plain filter of the same rows, for points and box edges on
// and next to band boundaries, boxes inside one band, boxes given with their
// corners swapped and boxes too tall for the band list.
func TestBoxMatchesFilter(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	d := storetest.MustCreateDataset(t, s, "box", kume.Public)
	rng := rand.New(rand.NewPCG(1, 2))
	edge := func(v float64) float64 { // v, or a neighbour of a band boundary near it
		b := math.Round(v * 100)
		switch rng.IntN(4) {
		case 0:
			return b / 100
		case 1:
			return math.Nextafter(b/100, math.Inf(-1))
		case 2:
			return math.Nextafter(b/100, math.Inf(1))
		}
		return v
	}
	rows := storetest.Synthetic("b", 3000)
	for i := range rows {
		rows[i].Lon = edge(28 + rng.Float64())
		rows[i].Lat = edge(40 + rng.Float64())
		if i%100 == 0 {
			rows[i].Lat = -rows[i].Lat // a few in the southern hemisphere
		}
	}
	storetest.MustImport(t, s, d.ID, kume.ImportOptions{}, rows)
	all, err := s.Establishments(ctx, kume.EstablishmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	boxes := []orb.Bound{
		{Min: orb.Point{28, 40}, Max: orb.Point{29, 41}},
		{Min: orb.Point{28.5, 40.5}, Max: orb.Point{28.5, 40.5}},
		{Min: orb.Point{28.2, 40.21}, Max: orb.Point{28.4, 40.21}},
		{Min: orb.Point{28.9, 40.9}, Max: orb.Point{28.1, 40.1}}, // corners swapped
		{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}},     // too many bands
		{Min: orb.Point{28, -41}, Max: orb.Point{29, -40}},
		{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}},
	}
	for range 60 {
		w, e := edge(28+rng.Float64()), edge(28+rng.Float64())
		s, n := edge(40+rng.Float64()), edge(40+rng.Float64())
		if rng.IntN(3) == 0 {
			n = s + rng.Float64()*0.02 // within one or two bands
		}
		boxes = append(boxes, orb.Bound{Min: orb.Point{min(w, e), min(s, n)}, Max: orb.Point{max(w, e), max(s, n)}})
	}
	for _, b := range boxes {
		t.Run(fmt.Sprint(b), func(t *testing.T) {
			w, e := min(b.Min[0], b.Max[0]), max(b.Min[0], b.Max[0])
			so, n := min(b.Min[1], b.Max[1]), max(b.Min[1], b.Max[1])
			var want []int64
			for _, r := range all {
				if r.Lon >= w && r.Lon <= e && r.Lat >= so && r.Lat <= n {
					want = append(want, r.ID)
				}
			}
			got, err := s.Establishments(ctx, kume.EstablishmentFilter{BBox: &b})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, len(got))
			for i, r := range got {
				ids[i] = r.ID
			}
			if !slices.Equal(ids, want) {
				t.Errorf("box read %d rows, the filter %d", len(ids), len(want))
			}
			n2, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{BBox: &b})
			if err != nil || n2 != len(want) {
				t.Errorf("count = %d, %v; want %d", n2, err, len(want))
			}
		})
	}
}
