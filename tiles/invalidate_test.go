package tiles

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/tiles/mvtcheck"
	"github.com/kume-geo/kume/tiles/pmtiles/pmtilestest"
)

// TestInvalidate: a new analysis that changes one cell evicts the tiles that
// show it and keeps the others, with their ETags, for the new version.
func TestInvalidate(t *testing.T) { onStores(t, testInvalidate) }

func testInvalidate(t *testing.T, kind teststores.Kind) {
	st := fixture(t, kind, center)
	log := &readLog{}
	svc := newService(t, watch(st, log.before), Config{VersionCheck: -1})
	near := tileAt(center[0], center[1], 10)
	far := TileID{Z: 10, X: near.X + 1, Y: near.Y}
	get := func(id TileID) Tile { return mustTile(t, svc, "hexagons", id, Params{}) }
	a0, b0 := get(near), get(far)
	if len(a0.Data) == 0 || len(b0.Data) == 0 {
		t.Fatal("fixture tiles are empty")
	}

	changed := genCells(center, 8, 1, "")[1].Cell // not suppressed: its count is published
	st.saveAnalysis(t, func(next *kume.AnalysisResult) {
		for i := range next.Cells {
			if next.Cells[i].Cell == changed && next.Cells[i].Sector == "" {
				next.Cells[i].Firms += 100
			}
		}
	})
	if err := svc.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := log.count("cells")
	b1 := get(far)
	if log.count("cells") != calls {
		t.Error("an unchanged tile was rebuilt after the new analysis")
	}
	if b1.ETag != b0.ETag {
		t.Error("an unchanged tile changed its ETag")
	}
	a1 := get(near)
	if log.count("cells") == calls {
		t.Error("a changed tile was served from the cache")
	}
	if a1.ETag == a0.ETag {
		t.Error("a changed tile kept its ETag")
	}
}

func TestChangedCells(t *testing.T) {
	lq := 1.5
	a := []kume.CellStat{{Cell: 1, Firms: 3}, {Cell: 2, Firms: 4}, {Cell: 3, Firms: 5, LQ: &lq}, {Cell: 4, Firms: 1, Suppressed: true}}
	b := []kume.CellStat{{Cell: 1, Firms: 3}, {Cell: 2, Firms: 5}, {Cell: 3, Firms: 5}, {Cell: 4, Firms: 2, Suppressed: true}, {Cell: 5}}
	// 4 changes its hidden count only: its published properties are the same.
	if got, want := ChangedCells(a, b), []uint64{2, 3, 5}; !slices.Equal(got, want) {
		t.Fatalf("ChangedCells = %v, want %v", got, want)
	}
}

func TestChangedTiles(t *testing.T) {
	svc := newService(t, emptyStore(t), Config{})
	cells := genCells(center, 8, 0, "")
	id := tileAt(center[0], center[1], 12)
	got := svc.ChangedTiles([]uint64{cells[0].Cell}, 12)
	if _, ok := got[id]; !ok || len(got) > 4 {
		t.Fatalf("ChangedTiles = %v, want %s and at most 3 neighbours", got, id)
	}
}

func TestExportPMTiles(t *testing.T) { onStores(t, testExportPMTiles) }

func testExportPMTiles(t *testing.T, kind teststores.Kind) {
	svc := newService(t, fixture(t, kind, center), Config{})
	var buf bytes.Buffer
	err := ExportPMTiles(context.Background(), svc, &buf, []string{LayerHexagons, LayerRegions}, []string{"", "13"}, 4, 6)
	if err != nil {
		t.Fatal(err)
	}
	a, err := pmtilestest.Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if h := a.Header; h.Version != 3 || h.TileType != 1 || h.MinZoom != 4 || h.MaxZoom != 6 || h.Addressed == 0 {
		t.Fatalf("header %+v", h)
	}
	id := tileAt(center[0], center[1], 6)
	data, ok, err := a.Tile(uint8(id.Z), id.X, id.Y)
	if err != nil || !ok {
		t.Fatalf("tile %s not in the archive: %v", id, err)
	}
	if errs := mvtcheck.Check(data); len(errs) > 0 {
		t.Fatal(errs)
	}
	ls, _ := mvtcheck.Decode(data)
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	slices.Sort(names)
	if want := []string{"hexagons@", "hexagons@13", "regions@", "regions@13"}; !slices.Equal(names, want) {
		t.Fatalf("layers %v, want %v", names, want)
	}
	if a.Metadata["vector_layers"] == nil {
		t.Fatalf("metadata %v", a.Metadata)
	}
}

func TestTileJSON(t *testing.T) {
	svc := newService(t, emptyStore(t), Config{Attribution: "kume"})
	tj := svc.TileJSON([]string{LayerHexagons, LayerEstablishments}, Params{Sector: "13.2"}, "https://example.org/")
	b, _ := json.Marshal(tj)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["tilejson"] != "3.0.0" || doc["minzoom"] != 3.0 || doc["maxzoom"] != 18.0 {
		t.Fatalf("document %s", b)
	}
	if got := tj.Tiles[0]; got != "https://example.org/tiles/hexagons,establishments/{z}/{x}/{y}.mvt?sector=13.2" {
		t.Fatalf("tiles %s", got)
	}
	if len(tj.VectorLayers) != 2 || tj.VectorLayers[0].Fields["gi_bin"] != "Number" || tj.VectorLayers[1].MinZoom != 12 {
		t.Fatalf("vector_layers %+v", tj.VectorLayers)
	}
}
