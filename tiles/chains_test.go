package tiles_test

import (
	"context"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// TestEstablishmentsOfShippedChain runs the establishments layer on each
// store with no saved value chains: sector=vc:textiles selects the
// firms of the shipped textiles chain (the Bursa weaver, NACE 13.20), as the
// hexagons and the API do, and not an error; once a chain of that id is saved,
// the saved one is in force. An unknown chain is EINVALID.
func TestEstablishmentsOfShippedChain(t *testing.T) {
	teststores.Run(t, testEstablishmentsOfShippedChain)
}

func testEstablishmentsOfShippedChain(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
	d := storetest.MustCreateDataset(t, st, "pub", kume.Public)
	storetest.MustImport(t, st, d.ID, kume.ImportOptions{}, storetest.Firms())
	ts, err := tiles.New(st, tiles.Config{CacheBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	mt := maptile.At(orb.Point{29.06, 40.19}, 12)
	names := func(sector string) []string {
		t.Helper()
		p, err := ts.ParseParams([]string{tiles.LayerEstablishments}, map[string][]string{"sector": {sector}})
		if err != nil {
			t.Fatal(err)
		}
		tl, err := ts.Tile(ctx, tiles.Request{Layers: []string{tiles.LayerEstablishments},
			Tile: tiles.TileID{Z: 12, X: mt.X, Y: mt.Y}, Params: p})
		if err != nil {
			t.Fatalf("sector %s: %v", sector, err)
		}
		ls, err := mvtcheck.Decode(tl.Data)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			for _, f := range l.Features {
				out = append(out, f.Props["name"].(string))
			}
		}
		slices.Sort(out)
		return out
	}
	if got := names("vc:textiles"); !slices.Equal(got, []string{"Bursa İpek Dokuma A.Ş."}) {
		t.Errorf("vc:textiles without saved chains: %q, want the Bursa weaver", got)
	}
	if err := st.PutValueChain(ctx, kume.ValueChain{ID: "textiles", Name: map[string]string{"en": "Food, really"},
		Roles: map[kume.Role][]string{kume.RoleCore: {"10"}}}); err != nil {
		t.Fatal(err)
	}
	if got := names("vc:textiles"); len(got) != 0 {
		t.Errorf("vc:textiles saved as food: %q, want no firm near Bursa", got)
	}
	p, _ := ts.ParseParams([]string{tiles.LayerEstablishments}, map[string][]string{"sector": {"vc:nothing"}})
	_, err = ts.Tile(ctx, tiles.Request{Layers: []string{tiles.LayerEstablishments}, Tile: tiles.TileID{Z: 12, X: mt.X, Y: mt.Y}, Params: p})
	if kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("unknown chain: %v, want EINVALID", err)
	}
}
