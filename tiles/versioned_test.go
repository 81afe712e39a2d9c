package tiles_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/pmtiles/pmtilestest"
)

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"0", "7", "123456789012345678", "1234567890123456789", "-1", "+1", "1e3", " 1", "", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := tiles.ParseVersion(s)
		if err != nil {
			if kume.ErrorCode(err) != kume.EINVALID || len(kume.ErrorMessage(err)) > 100 {
				t.Fatalf("ParseVersion(%q): %v (code %s)", s, err, kume.ErrorCode(err))
			}
			return
		}
		want, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || v != want || v < 0 || len(s) > 18 || strings.Trim(s, "0123456789") != "" {
			t.Fatalf("ParseVersion(%q) = %d", s, v)
		}
	})
}

// versionStore is the embedded store whose DataVersion answers next after
// its first answer, when next is set: the data changed during a build.
type versionStore struct {
	*memory.Store
	next  atomic.Int64
	calls atomic.Int64
}

func (s *versionStore) DataVersion(ctx context.Context) (int64, error) {
	if n := s.next.Load(); n != 0 && s.calls.Add(1) > 1 {
		return n, nil
	}
	return s.Store.DataVersion(ctx)
}

// TestTileAt checks tiles asked at a version: the current one is the tile of
// the current data, any other is a VersionError (ENOTFOUND) naming the
// current one, and a point tile built while the data moved is refused.
func TestTileAt(t *testing.T) {
	ctx := context.Background()
	st := &versionStore{Store: memory.New()}
	defer st.Close()
	istanbul := orb.Point{28.97, 41.01}
	cell, err := geo.CellOf(istanbul[0], istanbul[1], 7)
	if err != nil {
		t.Fatal(err)
	}
	save := func(firms int) int64 {
		v, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{
			Run:   kume.AnalysisRun{Params: []byte(`{"resolutions":[7]}`)},
			Cells: []kume.CellStat{{Res: 7, Cell: cell, Firms: firms}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a1 := save(30)
	svc, err := tiles.New(st, tiles.Config{VersionCheck: -1})
	if err != nil {
		t.Fatal(err)
	}
	mt := maptile.At(istanbul, 8)
	req := tiles.Request{Layers: []string{tiles.LayerHexagons}, Tile: tiles.TileID{Z: uint32(mt.Z), X: mt.X, Y: mt.Y}}
	if v, err := svc.Version(ctx, req.Layers); err != nil || v != a1 {
		t.Fatalf("Version = %d, %v; want %d", v, err, a1)
	}
	want, err := svc.Tile(ctx, req)
	if err != nil || len(want.Data) == 0 {
		t.Fatalf("Tile: %v (%d bytes)", err, len(want.Data))
	}
	got, err := svc.TileAt(ctx, req, a1)
	if err != nil || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("TileAt(current): %v, same bytes %v", err, bytes.Equal(got.Data, want.Data))
	}
	notServed := func(asked, current int64, layers ...string) {
		t.Helper()
		r := req
		if len(layers) > 0 {
			r = tiles.Request{Layers: layers, Tile: tiles.TileID{Z: 14, X: 9000, Y: 6000}}
		}
		_, err := svc.TileAt(ctx, r, asked)
		var ve *tiles.VersionError
		if !errors.As(err, &ve) || ve.Asked != asked || ve.Current != current || kume.ErrorCode(err) != kume.ENOTFOUND {
			t.Fatalf("TileAt(%d): %v; want a VersionError naming %d", asked, err, current)
		}
		if !strings.Contains(kume.ErrorMessage(err), "/tiles/v/"+strconv.FormatInt(current, 10)+"/") {
			t.Errorf("message %q does not give the current tiles' path", kume.ErrorMessage(err))
		}
	}
	notServed(a1-1, a1)
	notServed(a1+1, a1)

	a2 := save(90)
	notServed(a1, a2)
	if got, err := svc.TileAt(ctx, req, a2); err != nil || bytes.Equal(got.Data, want.Data) {
		t.Fatalf("TileAt(new version): %v, same bytes as before %v", err, bytes.Equal(got.Data, want.Data))
	}
	tj := svc.TileJSONAt(req.Layers, tiles.Params{Sector: "13"}, "https://maps.example.org", a2)
	if tj.Tiles[0] != "https://maps.example.org/tiles/v/"+strconv.FormatInt(a2, 10)+"/hexagons/{z}/{x}/{y}.mvt?sector=13" || *tj.DataVersion != a2 {
		t.Errorf("TileJSONAt: %q, %d", tj.Tiles, *tj.DataVersion)
	}

	// Point layers carry the store's data version; a change during the
	// build refuses the tile.
	dv, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	points := []string{tiles.LayerEstablishments}
	if v, _ := svc.Version(ctx, points); v != dv {
		t.Fatalf("Version(establishments) = %d, want the data version %d", v, dv)
	}
	if _, err := svc.TileAt(ctx, tiles.Request{Layers: points, Tile: tiles.TileID{Z: 14, X: 9000, Y: 6000}}, dv); err != nil {
		t.Fatalf("TileAt(establishments, %d): %v", dv, err)
	}
	st.next.Store(dv + 1)
	notServed(dv, dv+1, tiles.LayerEstablishments)
}

// TestTileAtAsksForNewerVersions: a version above the one the service last
// read makes it ask the store again (another server may know it), and the
// tile is served at once.
func TestTileAtAsksForNewerVersions(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	cell, _ := geo.CellOf(28.97, 41.01, 7)
	save := func() int64 {
		v, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{"resolutions":[7]}`)},
			Cells: []kume.CellStat{{Res: 7, Cell: cell, Firms: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	save()
	svc, err := tiles.New(st, tiles.Config{VersionCheck: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	mt := maptile.At(orb.Point{28.97, 41.01}, 8)
	req := tiles.Request{Layers: []string{tiles.LayerHexagons}, Tile: tiles.TileID{Z: uint32(mt.Z), X: mt.X, Y: mt.Y}}
	if _, err := svc.Tile(ctx, req); err != nil {
		t.Fatal(err)
	}
	v2 := save()
	time.Sleep(150 * time.Millisecond)
	if _, err := svc.TileAt(ctx, req, v2); err != nil {
		t.Fatalf("TileAt(newer version %d) with the version check an hour away: %v", v2, err)
	}
}

// movingStore is the embedded store that saves another analysis when the
// first cell statistics are read: the data moves on during an export.
type movingStore struct {
	*memory.Store
	once sync.Once
	save func()
}

func (s *movingStore) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	s.once.Do(s.save)
	return s.Store.CellStats(ctx, f)
}

// TestExportPMTilesAtOneVersion: an archive names its data version, an
// export at another version is refused, and one during which a new analysis
// commits fails and writes nothing.
func TestExportPMTilesAtOneVersion(t *testing.T) {
	ctx := context.Background()
	st := &movingStore{Store: memory.New()}
	defer st.Close()
	cell, _ := geo.CellOf(28.97, 41.01, 7)
	save := func() int64 {
		v, err := st.SaveAnalysis(ctx, &kume.AnalysisResult{Run: kume.AnalysisRun{Params: []byte(`{"resolutions":[7]}`)},
			Cells: []kume.CellStat{{Res: 7, Cell: cell, Firms: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v1 := save()
	st.once.Do(func() {}) // no move yet
	svc, err := tiles.New(st, tiles.Config{CacheBytes: -1, Bounds: orb.Bound{Min: orb.Point{28, 40}, Max: orb.Point{30, 42}}})
	if err != nil {
		t.Fatal(err)
	}
	layers := []string{tiles.LayerHexagons}
	var buf bytes.Buffer
	if err := tiles.ExportPMTiles(ctx, svc, &buf, layers, nil, 6, 8); err != nil {
		t.Fatal(err)
	}
	a, err := pmtilestest.Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Metadata["data_version"].(float64); int64(v) != v1 {
		t.Errorf("metadata data_version %v, want %d", a.Metadata["data_version"], v1)
	}
	buf.Reset()
	var ve *tiles.VersionError
	if err := tiles.ExportPMTilesAt(ctx, svc, &buf, v1-1, layers, nil, 6, 8); !errors.As(err, &ve) || buf.Len() > 0 {
		t.Errorf("export at an old version: %v, %d bytes written", err, buf.Len())
	}
	st.once = sync.Once{}
	st.save = func() { save() }
	if err := tiles.ExportPMTiles(ctx, svc, &buf, layers, nil, 6, 8); kume.ErrorCode(err) != kume.ECONFLICT || buf.Len() > 0 {
		t.Errorf("export during a new analysis: %v (code %s), %d bytes written", err, kume.ErrorCode(err), buf.Len())
	}
}
