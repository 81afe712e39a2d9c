package tiles

import (
	"bytes"
	"testing"

	"github.com/paulmach/orb"
)

// TestAddHexagonMatchesClipPath checks that hexagons written straight from the
// cached outline (unclipped inside the tile, clipped across its edge) encode to
// the same bytes as the general path through cellTile and addPolygon, for the
// tile of the cells and its neighbours.
func TestAddHexagonMatchesClipPath(t *testing.T) {
	svc := newService(t, newFakeStore(), Config{CacheBytes: -1})
	cells := genCells(orb.Point{29.3, 40.8}, 7, 26, "")
	centre := tileAt(29.3, 40.8, 8)
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			id := TileID{Z: 8, X: uint32(int(centre.X) + dx), Y: uint32(int(centre.Y) + dy)}
			tc := svc.tileContext(Request{Tile: id}, &versions{})
			fast, slow := newLayerEncoder("h", 4096), newLayerEncoder("h", 4096)
			var props []prop
			added := 0
			for i := range cells {
				c := &cells[i]
				props = hexProps(props[:0], c)
				if svc.addHexagon(fast, c.Cell, tc, props) {
					added++
				}
				if mp := svc.cellTile(c.Cell, tc); mp != nil {
					slow.addPolygon(c.Cell, true, mp, props)
				}
			}
			a, b := fast.appendTo(nil), slow.appendTo(nil)
			if (id == centre && added == 0) || !bytes.Equal(a, b) {
				t.Fatalf("tile %s: %d hexagons; fast path %d bytes, clip path %d bytes", id, added, len(a), len(b))
			}
		}
	}
}
