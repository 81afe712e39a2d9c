package tiles_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// features decodes a tile and returns the feature ids of its layer name,
// sorted, and the "firms" of its hexagons.
func features(t *testing.T, tl tiles.Tile, name string) (ids []uint64, firms []float64) {
	t.Helper()
	if len(tl.Data) == 0 {
		return nil, nil
	}
	layers, err := mvtcheck.Decode(tl.Data)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		if l.Name != name {
			continue
		}
		for _, f := range l.Features {
			if f.ID != nil {
				ids = append(ids, *f.ID)
			}
			switch n := f.Props["firms"].(type) {
			case float64:
				firms = append(firms, n)
			case int64:
				firms = append(firms, float64(n))
			case uint64:
				firms = append(firms, float64(n))
			}
		}
	}
	slices.Sort(ids)
	return ids, firms
}

// TestTilesKeepCallersApart serves the tiles of a public and a private
// analysis, and the points of a public and a private dataset, from one cached
// service to callers of different rights, in turns, so that a tile built for
// one caller would be served from the cache to the next: each gets its own.
func TestTilesKeepCallersApart(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	pub := storetest.MustCreateDataset(t, st, "open", kume.Public)
	priv := storetest.MustCreateDataset(t, st, "agency", kume.Private)
	place := orb.Point{29.06, 40.19} // Bursa, where the fixtures' firms are
	pubRows, privRows := storetest.Firms(), storetest.PrivateFirms()
	storetest.MustImport(t, st, pub.ID, kume.ImportOptions{}, pubRows)
	storetest.MustImport(t, st, priv.ID, kume.ImportOptions{}, privRows)
	const res, zoom = 7, 8
	cell, err := geo.CellOf(place[0], place[1], res)
	if err != nil {
		t.Fatal(err)
	}
	analysis := func(scope kume.AnalysisScope, firms int) *kume.AnalysisRun {
		r := &kume.AnalysisResult{Run: kume.AnalysisRun{Scope: scope, Params: []byte(`{"resolutions":[7]}`)},
			Cells: []kume.CellStat{{Res: res, Cell: cell, Firms: firms}}}
		if _, err := st.SaveAnalysis(ctx, r); err != nil {
			t.Fatal(err)
		}
		return &r.Run
	}
	public := analysis(kume.AnalysisPublic, 10)
	private := analysis(kume.DatasetsScope([]int64{pub.ID, priv.ID}), 13)
	ts, err := tiles.New(st, tiles.Config{Resolutions: []int{res}, ResByZoom: []int{res}})
	if err != nil {
		t.Fatal(err)
	}
	mt := maptile.At(place, zoom)
	id := tiles.TileID{Z: zoom, X: mt.X, Y: mt.Y}
	hex := func(run *kume.AnalysisRun) []float64 {
		t.Helper()
		tl, err := ts.Tile(ctx, tiles.Request{Layers: []string{"hexagons"}, Tile: id, Analysis: run})
		if err != nil {
			t.Fatal(err)
		}
		_, firms := features(t, tl, "hexagons")
		return firms
	}
	for range 2 {
		if got := hex(private); !slices.Equal(got, []float64{13}) {
			t.Errorf("the private analysis's tile holds %v firms, want [13]", got)
		}
		if got := hex(nil); !slices.Equal(got, []float64{10}) {
			t.Errorf("the store's public analysis's tile holds %v firms, want [10]", got)
		}
		if got := hex(public); !slices.Equal(got, []float64{10}) {
			t.Errorf("the public analysis's tile holds %v firms, want [10]", got)
		}
		if got := hex(&kume.AnalysisRun{}); len(got) != 0 {
			t.Errorf("no analysis: the tile holds %v", got)
		}
	}

	// Points at z14: the fixtures' firms are in a few tiles of Bursa.
	all, err := st.Establishments(ctx, kume.EstablishmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byTile := map[tiles.TileID][]kume.Establishment{}
	for _, e := range all {
		p := maptile.At(orb.Point{e.Lon, e.Lat}, 14)
		k := tiles.TileID{Z: 14, X: p.X, Y: p.Y}
		byTile[k] = append(byTile[k], e)
	}
	access := map[string]kume.Access{
		"anonymous":  kume.AccessOf(nil),
		"no grant":   kume.AccessOf(&kume.APIKey{Scope: kume.ScopeRead}),
		"granted":    kume.AccessOf(&kume.APIKey{Scope: kume.ScopeRead, Grants: []kume.Grant{{DatasetID: priv.ID, Right: kume.RightRead}}}),
		"admin":      kume.AccessOf(&kume.APIKey{Scope: kume.ScopeAdmin}),
		"other only": kume.AccessOf(&kume.APIKey{Scope: kume.ScopeRead, Grants: []kume.Grant{{DatasetID: priv.ID + 100, Right: kume.RightRead}}}),
	}
	datasetOf := map[uint64]*kume.Dataset{}
	for _, e := range all {
		datasetOf[uint64(e.ID)] = pub
		if e.DatasetID == priv.ID {
			datasetOf[uint64(e.ID)] = priv
		}
	}
	point := func(tid tiles.TileID, a kume.Access) []uint64 {
		tl, err := ts.Tile(ctx, tiles.Request{Layers: []string{"establishments"}, Tile: tid, Access: a})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := features(t, tl, "establishments")
		return got
	}
	seenPrivate := 0
	for range 2 {
		for tid, es := range byTile {
			// The admin's tile holds every active firm of the tile (and
			// those of its buffer); each caller's holds those it may read.
			every := point(tid, access["admin"])
			for _, e := range es {
				if e.Kind == kume.KindFirm && e.ActiveAt(time.Now()) && !slices.Contains(every, uint64(e.ID)) {
					t.Errorf("tile %v for an admin lacks firm %d", tid, e.ID)
				}
			}
			for _, who := range []string{"granted", "anonymous", "admin", "no grant", "other only"} {
				a := access[who]
				var want []uint64
				for _, id := range every {
					if a.CanRead(datasetOf[id]) {
						want = append(want, id)
					}
					if datasetOf[id] == priv && who == "admin" {
						seenPrivate++
					}
				}
				if got := point(tid, a); !slices.Equal(got, want) {
					t.Errorf("tile %v for %s: features %v, want %v", tid, who, got, want)
				}
			}
		}
	}
	if seenPrivate == 0 {
		t.Fatal("no private firm in any tile: the test proves nothing")
	}
}
