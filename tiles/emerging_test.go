package tiles_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/synth"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/mvtcheck"
)

// loadPlantedFirms imports the generated firms of the planted classes
// (seeded and made up, with planted space-time patterns) into a public
// dataset.
func loadPlantedFirms(t *testing.T, st kume.Store) {
	t.Helper()
	ctx := context.Background()
	g, err := synth.New(synth.Config{Firms: 60_000, Seed: 1, Patterns: true})
	if err != nil {
		t.Fatal(err)
	}
	var rows []kume.Establishment
	var f synth.Firm
	for g.Next(&f) {
		if f.Defect != "" || !strings.HasPrefix(f.NACE, "26.") {
			continue
		}
		e := kume.Establishment{SourceID: f.ID, Name: f.Name, Kind: kume.KindFirm, NACE: f.NACE, Lon: f.Lon, Lat: f.Lat,
			Precision: kume.PrecisionAddress}
		for _, d := range []struct {
			s   string
			dst **time.Time
		}{{f.Founded, &e.Founded}, {f.Closed, &e.Closed}} {
			if d.s != "" {
				v, err := time.Parse(time.DateOnly, d.s)
				if err != nil {
					t.Fatal(err)
				}
				*d.dst = &v
			}
		}
		rows = append(rows, e)
	}
	d := &kume.Dataset{Name: "synthetic", Visibility: kume.Public, Source: synth.DatasetSource(1)}
	if err := st.CreateDataset(ctx, d); err != nil {
		t.Fatal(err)
	}
	imp, err := st.BeginImport(ctx, d.ID, kume.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := imp.Add(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestEmergingLayer draws the planted patterns of generated firms as the
// emerging layer: each planted cell is a feature of the tile that holds it,
// with its category, ArcGIS code and trend, the same as the engine's answer
// the API gives; the counts stay out of the tile; the TileJSON lists the
// layer's properties and carries the options in its URL.
func TestEmergingLayer(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	loadPlantedFirms(t, st)
	eng, err := emerging.New(st, nil, emerging.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tiles.New(st, tiles.Config{Emerging: eng})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"from": {"2015"}, "to": {"2024"}, "res": {"7"}}
	for _, pat := range synth.PlantedPatterns() {
		q.Set("sector", pat.NACE)
		p, err := ts.ParseParams([]string{tiles.LayerEmerging}, q)
		if err != nil {
			t.Fatal(err)
		}
		const zoom = 10
		mt := maptile.At(orb.Point{pat.Lon, pat.Lat}, zoom)
		tl, err := ts.Tile(ctx, tiles.Request{Layers: []string{tiles.LayerEmerging}, Tile: tiles.TileID{Z: zoom, X: mt.X, Y: mt.Y}, Params: p})
		if err != nil {
			t.Fatal(err)
		}
		if errs := mvtcheck.Check(tl.Data); len(errs) > 0 {
			t.Fatalf("%s: invalid tile: %v", pat.Name, errs)
		}
		layers, err := mvtcheck.Decode(tl.Data)
		if err != nil || len(layers) != 1 || layers[0].Name != "emerging" {
			t.Fatalf("%s: layers %+v, %v", pat.Name, layers, err)
		}
		cell, err := geo.CellOf(pat.Lon, pat.Lat, 7)
		if err != nil {
			t.Fatal(err)
		}
		ans, cached, err := eng.Run(ctx, emerging.Request{Options: p.Emerging, Sector: pat.NACE, Public: true})
		if err != nil || !cached {
			t.Fatalf("%s: the tile's answer is not the engine's kept one (cached %v): %v", pat.Name, cached, err)
		}
		var found bool
		for _, f := range layers[0].Features {
			id := f.Props["cell"]
			c, ok := ans.Cell(mustHex(t, id))
			if !ok {
				t.Fatalf("%s: tile cell %v is no feature of the answer", pat.Name, id)
			}
			if f.Props["category"] != c.Category || fmt.Sprint(f.Props["category_code"]) != fmt.Sprint(c.Code) ||
				(c.TrendZ != nil && f.Props["trend_z"] != *c.TrendZ) || fmt.Sprint(f.Props["res"]) != "7" {
				t.Fatalf("%s: tile feature %v, answer %+v", pat.Name, f.Props, c)
			}
			for _, k := range []string{"firms", "employees", "sector"} {
				if _, ok := f.Props[k]; ok {
					t.Errorf("%s: tile carries %s", pat.Name, k)
				}
			}
			if c.Cell == cell {
				found = true
				if f.Props["category"] != string(pat.Category) {
					t.Errorf("%s: planted cell drawn as %v", pat.Name, f.Props["category"])
				}
			}
		}
		if !found {
			t.Errorf("%s: the planted cell %x is not in its tile", pat.Name, cell)
		}
	}

	// TileJSON: the layer's tile properties, and the options in the URL.
	q.Set("step", "year")
	q.Set("window", "2")
	p, err := ts.ParseParams([]string{tiles.LayerEmerging}, q)
	if err != nil {
		t.Fatal(err)
	}
	tj := ts.TileJSON([]string{tiles.LayerEmerging}, p, "http://example.org")
	if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].Fields["category"] != "String" || tj.VectorLayers[0].Fields["tau"] != "Number" ||
		tj.VectorLayers[0].Fields["firms"] != "" {
		t.Errorf("vector layers %+v", tj.VectorLayers)
	}
	if u := tj.Tiles[0]; !strings.Contains(u, "window=2") || !strings.Contains(u, "from=2015") || strings.Contains(u, "step=") ||
		!strings.HasPrefix(u, "http://example.org/tiles/emerging/{z}/{x}/{y}.mvt?") {
		t.Errorf("template %s", u)
	}
}

func mustHex(t *testing.T, v any) uint64 {
	t.Helper()
	s, _ := v.(string)
	c, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		t.Fatalf("cell %v: %v", v, err)
	}
	return c
}

// TestEmergingParams checks the parameters of the emerging layer: its own
// options, refused with others and in a composite tile.
func TestEmergingParams(t *testing.T) {
	st := memory.New()
	defer st.Close()
	ts, err := tiles.New(st, tiles.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tiles.ParseLayers("hexagons,emerging"); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("a composite with the emerging layer: %v", err)
	}
	for _, c := range []struct{ q, want string }{
		{"step=week", `"step"`}, {"res=12", `"res"`}, {"level=province", "not accepted"}, {"alpha=0.2", `"alpha"`},
		{"sector=99.99", "sector"},
	} {
		q, _ := url.ParseQuery(c.q)
		if _, err := ts.ParseParams([]string{tiles.LayerEmerging}, q); kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.q, err)
		}
	}
	// Without an engine the layer says so.
	q, _ := url.ParseQuery("sector=26")
	p, err := ts.ParseParams([]string{tiles.LayerEmerging}, q)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Tile(context.Background(), tiles.Request{Layers: []string{tiles.LayerEmerging}, Tile: tiles.TileID{Z: 8, X: 150, Y: 97}, Params: p})
	if kume.ErrorCode(err) != kume.ENOTSUPPORTED {
		t.Errorf("without an engine: %v", err)
	}
}
