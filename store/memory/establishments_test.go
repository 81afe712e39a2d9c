package memory_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/paulmach/orb"
)

// loaded returns a store holding n synthetic rows split over two datasets,
// the second one private.
func loaded(tb testing.TB, s kume.Store, n int) {
	tb.Helper()
	a := storetest.MustCreateDataset(tb, s, "a", kume.Public)
	b := storetest.MustCreateDataset(tb, s, "b", kume.Private)
	rows := storetest.Synthetic("r", n)
	storetest.MustImport(tb, s, a.ID, kume.ImportOptions{}, rows[:n/2])
	storetest.MustImport(tb, s, b.ID, kume.ImportOptions{}, rows[n/2:])
}

// TestBBoxMatchesScan checks the grid index against a plain scan on data
// large enough for the store to use the index.
func TestBBoxMatchesScan(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	defer s.Close()
	loaded(t, s, 40000)
	all, err := s.Establishments(ctx, kume.EstablishmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		x, y := 25+rng.Float64()*20, 35+rng.Float64()*8
		w, h := rng.Float64()*rng.Float64()*3, rng.Float64()*rng.Float64()*2
		box := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + h}}
		if i%10 == 0 { // a box whose corner is exactly on a point
			p := all[rng.IntN(len(all))]
			box = orb.Bound{Min: orb.Point{p.Lon, p.Lat}, Max: orb.Point{p.Lon + w, p.Lat + h}}
		}
		f := kume.EstablishmentFilter{BBox: &box, PublicOnly: i%3 == 0, NACEPrefixes: []string{"13", "25"}[:i%3]}
		if i%2 == 0 {
			f.AfterID, f.Limit = all[rng.IntN(len(all))].ID, 1+rng.IntN(50)
		}
		var want []kume.Establishment
		count := 0
		for _, e := range all {
			if box.Contains(orb.Point{e.Lon, e.Lat}) && (!f.PublicOnly || e.DatasetID == 1) &&
				(len(f.NACEPrefixes) == 0 || matchesAny(e.NACE, f.NACEPrefixes)) {
				count++ // Count ignores AfterID and Limit
				if e.ID > f.AfterID {
					want = append(want, e)
				}
			}
		}
		n, err := s.CountEstablishments(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if n != count {
			t.Fatalf("box %v: CountEstablishments %d, scan finds %d", box, n, count)
		}
		if f.Limit > 0 && len(want) > f.Limit {
			want = want[:f.Limit]
		}
		got, err := s.Establishments(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("box %v filter %+v: %d rows, scan finds %d", box, f, len(got), len(want))
		}
	}
}

func matchesAny(nace string, prefixes []string) bool {
	for _, p := range prefixes {
		if nace != "" && len(nace) >= len(p) && nace[:len(p)] == p {
			return true
		}
	}
	return false
}

// BenchmarkEstablishmentsBBox queries 1,000,000 establishments by box.
func BenchmarkEstablishmentsBBox(b *testing.B) {
	ctx := b.Context()
	s := memory.New()
	defer s.Close()
	loaded(b, s, 1_000_000)
	boxes := []struct {
		name string
		side float64
	}{{"0.05deg", 0.05}, {"0.5deg", 0.5}, {"2deg", 2}}
	for _, bx := range boxes {
		box := orb.Bound{Min: orb.Point{32, 38}, Max: orb.Point{32 + bx.side, 38 + bx.side}}
		for _, limit := range []int{0, 1000} {
			b.Run(fmt.Sprintf("%s/limit=%d", bx.name, limit), func(b *testing.B) {
				n := 0
				for b.Loop() {
					rows, err := s.Establishments(ctx, kume.EstablishmentFilter{BBox: &box, Limit: limit})
					if err != nil {
						b.Fatal(err)
					}
					n = len(rows)
				}
				b.ReportMetric(float64(n), "rows")
			})
		}
		b.Run(bx.name+"/count-nace", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{BBox: &box, NACEPrefixes: []string{"13"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPersist1M measures committing 1,000,000 establishments to a data
// directory and opening it again.
func BenchmarkPersist1M(b *testing.B) {
	rows := storetest.Synthetic("r", 1_000_000)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "kume-data")
		s, err := memory.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		d := storetest.MustCreateDataset(b, s, "big", kume.Public)
		start := time.Now()
		storetest.MustImport(b, s, d.ID, kume.ImportOptions{}, rows)
		b.ReportMetric(time.Since(start).Seconds(), "commit-s")
		s.Close()
		start = time.Now()
		s, err = memory.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "open-s")
		s.Close()
	}
}
