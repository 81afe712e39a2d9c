package tiles

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// TestAddHexagonMatchesClipPath checks that hexagons written straight from the
// cached outline (unclipped inside the tile, clipped across its edge) with the
// tags of setHexTags encode to the same bytes as the general path through
// cellTile, defs.hexProps and addPolygon, for the tile of the cells and its
// neighbours, with a fresh encoder and with one reused from another tile, at
// zoom 8 and 11 with the default extent (integer path) and one that is not a
// power of two (floating-point path).
func TestAddHexagonMatchesClipPath(t *testing.T) {
	cells := genCells(orb.Point{29.3, 40.8}, 7, 26, "")
	reused := newLayerEncoder("x", 512)
	for _, tc := range []struct {
		z      uint32
		extent uint32
	}{{8, 4096}, {11, 4096}, {8, 3000}} {
		svc := newService(t, emptyStore(t), Config{CacheBytes: -1, Extent: tc.extent})
		checkHexagonPaths(t, svc, cells, tileAt(29.3, 40.8, tc.z), reused)
	}
}

// checkHexagonPaths compares addHexagon with the clip path for the tile centre
// and its neighbours.
func checkHexagonPaths(t *testing.T, svc *Service, cells []kume.CellStat, centre TileID, reused *layerEncoder) {
	t.Helper()
	e := svc.cfg.Extent
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			id := TileID{Z: centre.Z, X: uint32(int(centre.X) + dx), Y: uint32(int(centre.Y) + dy)}
			tc := svc.tileContext(Request{Tile: id}, &versions{})
			fast, slow := newLayerEncoder("h", e), newLayerEncoder("h", e)
			reused.reset("h", e)
			var props []prop
			added := 0
			for i := range cells {
				c := &cells[i]
				if svc.addHexagon(fast, c, tc) {
					added++
				}
				svc.addHexagon(reused, c, tc)
				props = svc.defs.hexProps(props[:0], c)
				if mp := svc.cellTile(c.Cell, tc); mp != nil {
					slow.addPolygon(c.Cell, true, mp, props)
				}
			}
			a, b, r := fast.appendTo(nil), slow.appendTo(nil), reused.appendTo(nil)
			if (id == centre && added == 0) || !bytes.Equal(a, b) || !bytes.Equal(a, r) {
				t.Fatalf("tile %s: %d hexagons; fast path %d bytes, clip path %d bytes, reused encoder %d bytes", id, added, len(a), len(b), len(r))
			}
		}
	}
}

// TestHexTagsMatchProps checks that setHexTags writes the tags and tables that
// defs.hexProps' properties (the layer's definition) give, for suppressed cells, missing and non-finite
// values and repeated values.
func TestHexTagsMatchProps(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cells := []kume.CellStat{
		{Cell: 0x872d9a4a6ffffff, Res: 7, Firms: 12, Employees: 33.33, Imprecise: 3, LQ: f(1.5), GiZ: f(2.1), GiP: f(0.03), GiBin: 2},
		{Cell: 0x872d9a4a5ffffff, Res: 7, Firms: 2, Suppressed: true, GiBin: -1},
		{Cell: 0x872d9a4a4ffffff, Res: 7, Firms: 300, Employees: math.NaN(), LQ: f(math.Inf(1)), GiZ: f(math.Copysign(0, -1)), GiBin: 0},
		{Cell: 0x872d9a4a3ffffff, Res: 7, Firms: 0, Employees: 0, LQ: f(1.5), GiP: f(math.NaN())},
		{Cell: 0x872d9a4a6ffffff, Res: 7, Firms: -4, Employees: -2, Imprecise: 1, GiBin: 3},
	}
	d := newDefs()
	if got, keys := d.hex.Names(layer.Tile), hexKeys(); !slices.Equal(got, keys[:]) {
		t.Fatalf("hexKeys %v, the layer's tile properties %v", hexKeys(), got)
	}
	hex, gen := newLayerEncoder("h", 4096), newLayerEncoder("h", 4096)
	var props []prop
	for i := range cells {
		hex.setHexTags(&cells[i])
		props = d.hexProps(props[:0], &cells[i])
		gen.setProps(props)
		if !slices.Equal(hex.tags, gen.tags) {
			t.Fatalf("cell %d: tags %v, from properties %v", i, hex.tags, gen.tags)
		}
		hex.geom = append(hex.geom[:0], command(cmdMoveTo, 1), 0, 0)
		gen.geom = append(gen.geom[:0], command(cmdMoveTo, 1), 0, 0)
		hex.addFeature(cells[i].Cell, true, geomPoint)
		gen.addFeature(cells[i].Cell, true, geomPoint)
	}
	if a, b := hex.appendTo(nil), gen.appendTo(nil); !bytes.Equal(a, b) {
		t.Fatalf("layers differ: %d and %d bytes", len(a), len(b))
	}
}

// TestFixedTileRound checks fixedTile's integer rounding and conversion
// against math.Round of the exact offsets, halves included.
func TestFixedTileRound(t *testing.T) {
	f, ok := newFixedTile(TileID{Z: 9, X: 300, Y: 190}, 4096, 64)
	if !ok {
		t.Fatal("no fixed-point mapping for a power-of-two extent")
	}
	if _, ok := newFixedTile(TileID{Z: 9}, 3000, 64); ok {
		t.Fatal("fixed-point mapping for extent 3000")
	}
	unit := int64(1) << f.shift
	for _, d := range []int64{0, 1, unit / 2, unit/2 - 1, -unit / 2, -unit/2 - 1, -unit/2 + 1, 3*unit + unit/2, -3*unit - unit/2, -7*unit + 5, 1<<40 - 1, -(1 << 40)} {
		if got, want := f.round(d), int64(math.Round(f.float(d))); got != want {
			t.Errorf("round(%d) = %d, want %d", d, got, want)
		}
	}
}
