package pmtiles_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kume-geo/kume/tiles/pmtiles"
	"github.com/kume-geo/kume/tiles/pmtiles/pmtilestest"
)

// TestTileIDClosedForm: zoom 0 is id 0; zoom 1 follows the Hilbert curve
// (0,0), (0,1), (1,1), (1,0) from id 1; zoom z starts at (4^z − 1)/3.
func TestTileIDClosedForm(t *testing.T) {
	for _, tc := range []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4},
		{2, 0, 0, 5}, {12, 0, 0, 5592405}, {26, 0, 0, 1501199875790165},
	} {
		if got := pmtiles.TileID(tc.z, tc.x, tc.y); got != tc.want {
			t.Errorf("TileID(%d, %d, %d) = %d, want %d", tc.z, tc.x, tc.y, got, tc.want)
		}
	}
}

// TestTileIDHilbert: at each zoom up to 8 the ids are exactly the range
// [(4^z − 1)/3, (4^(z+1) − 1)/3), and consecutive ids are edge neighbours,
// as along any Hilbert curve.
func TestTileIDHilbert(t *testing.T) {
	for z := uint8(0); z <= 8; z++ {
		n := uint32(1) << z
		base := (uint64(1)<<(2*uint64(z)) - 1) / 3
		at := make([][2]uint32, uint64(n)*uint64(n))
		seen := make([]bool, len(at))
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				id := pmtiles.TileID(z, x, y)
				if id < base || id-base >= uint64(len(at)) || seen[id-base] {
					t.Fatalf("z%d: TileID(%d, %d) = %d outside or repeated", z, x, y, id)
				}
				seen[id-base] = true
				at[id-base] = [2]uint32{x, y}
			}
		}
		for i := 1; i < len(at); i++ {
			dx, dy := int(at[i][0])-int(at[i-1][0]), int(at[i][1])-int(at[i-1][1])
			if dx*dx+dy*dy != 1 {
				t.Fatalf("z%d: ids %d and %d are tiles %v and %v, not neighbours", z, base+uint64(i-1), base+uint64(i), at[i-1], at[i])
			}
		}
	}
}

// tile is one tile of a test archive.
type tile struct {
	z    uint8
	x, y uint32
	data []byte
}

// buildArchive writes tiles with metadata and returns the archive.
func buildArchive(t *testing.T, tiles []tile, meta map[string]any) []byte {
	t.Helper()
	w := pmtiles.NewWriter()
	for _, tl := range tiles {
		w.Add(tl.z, tl.x, tl.y, tl.data)
	}
	var buf bytes.Buffer
	info := pmtiles.Info{MinZoom: 0, MaxZoom: 14, MinLon: 26, MinLat: 36, MaxLon: 45, MaxLat: 42, CenterZoom: 5, CenterLon: 35.5, CenterLat: 39}
	if err := w.Write(&buf, info, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smallTiles are the tiles of zooms 0–6 over part of the world: some empty,
// runs of identical tiles (one entry each) and repeated contents elsewhere
// (stored once).
func smallTiles() []tile {
	rng := rand.New(rand.NewPCG(7, 7))
	var out []tile
	for z := uint8(0); z <= 6; z++ {
		n := uint32(1) << z
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n/2+1 && y < n; y++ {
				var data []byte
				switch r := rng.IntN(10); {
				case r == 0: // empty: no entry
				case r < 4:
					data = []byte("same tile")
				default:
					data = []byte{byte(z), byte(x), byte(y), byte(rng.IntN(256)), 0x1a}
				}
				out = append(out, tile{z, x, y, data})
			}
		}
	}
	return out
}

// TestArchiveReadsBack: the archive reads back with this package's test
// reader — header, metadata, every tile, deduplication and run lengths —
// and an absent tile is absent.
func TestArchiveReadsBack(t *testing.T) {
	tiles := smallTiles()
	b := buildArchive(t, tiles, map[string]any{"name": "kume", "vector_layers": []any{}})
	a, err := pmtilestest.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	h := a.Header
	distinct, n := map[string]bool{}, 0
	for _, tl := range tiles {
		if len(tl.data) > 0 {
			distinct[string(tl.data)] = true
			n++
		}
	}
	if h.Version != 3 || !h.Clustered || h.TileType != 1 || h.TileCompression != 2 || h.InternalCompression != 2 ||
		h.Addressed != uint64(n) || h.Contents != uint64(len(distinct)) || h.Entries >= h.Addressed ||
		h.RootOffset != pmtiles.HeaderLen || h.RootOffset+h.RootLength > 16384 || h.LeafLength != 0 ||
		h.MinLonE7 != 260000000 || h.CenterLatE7 != 390000000 || h.CenterZoom != 5 || h.MaxZoom != 14 {
		t.Fatalf("header %+v", h)
	}
	if a.Metadata["name"] != "kume" {
		t.Errorf("metadata %v", a.Metadata)
	}
	for _, tl := range tiles {
		got, ok, err := a.Tile(tl.z, tl.x, tl.y)
		if err != nil || ok != (len(tl.data) > 0) || !bytes.Equal(got, tl.data) {
			t.Fatalf("tile %d/%d/%d: %q, %v, %v; want %q", tl.z, tl.x, tl.y, got, ok, err, tl.data)
		}
	}
	if _, ok, _ := a.Tile(6, 63, 63); ok {
		t.Error("a tile never added is in the archive")
	}
	if err := pmtiles.NewWriter().Write(&bytes.Buffer{}, pmtiles.Info{}, nil); err == nil {
		t.Error("an archive without tiles was written")
	}
}

// jsReader returns the path of the pmtiles JavaScript reader, or skips (fails
// under CI=true) when node or its packages are missing.
func jsReader(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "js"))
	if err != nil {
		t.Fatal(err)
	}
	_, errNode := exec.LookPath("node")
	_, errMod := os.Stat(filepath.Join(dir, "node_modules", "pmtiles"))
	if errNode != nil || errMod != nil {
		msg := "node or the pmtiles package is missing: run npm ci in tiles/pmtiles/testdata/js (scripts/test.sh does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return filepath.Join(dir, "read.mjs")
}

// jsRead reads the asked tiles of an archive with the JavaScript reader.
func jsRead(t *testing.T, archive []byte, asked [][3]uint32) (header map[string]any, meta map[string]any, ids []uint64, sums []*string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.pmtiles")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"tiles": asked})
	cmd := exec.Command("node", jsReader(t), path)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, stderr.String())
	}
	var res struct {
		Header   map[string]any `json:"header"`
		Metadata map[string]any `json:"metadata"`
		Tiles    []struct {
			ID     uint64  `json:"id"`
			SHA256 *string `json:"sha256"`
		} `json:"tiles"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("reader output: %v: %.300s", err, out)
	}
	for _, tl := range res.Tiles {
		ids, sums = append(ids, tl.ID), append(sums, tl.SHA256)
	}
	return res.Header, res.Metadata, ids, sums
}

// checkWithJS writes tiles, reads every one back (and the absent ones) with
// the JavaScript reader and compares ids, contents, header and metadata.
func checkWithJS(t *testing.T, tiles []tile, absent [][3]uint32, wantLeaves bool) {
	t.Helper()
	checkArchiveWithJS(t, tiles, tiles, absent, wantLeaves)
}

// checkArchiveWithJS writes tiles and reads back those of asked and the
// absent ones with the JavaScript reader.
func checkArchiveWithJS(t *testing.T, tiles, sample []tile, absent [][3]uint32, wantLeaves bool) {
	t.Helper()
	meta := map[string]any{"name": "kume", "format": "pbf", "vector_layers": []any{map[string]any{"id": "hexagons"}}}
	b := buildArchive(t, tiles, meta)
	own, err := pmtilestest.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if (own.Header.LeafLength > 0) != wantLeaves || own.Header.RootOffset+own.Header.RootLength > 16384 {
		t.Fatalf("leaf directories: %d bytes, want some: %v; root ends at %d", own.Header.LeafLength, wantLeaves,
			own.Header.RootOffset+own.Header.RootLength)
	}
	var asked [][3]uint32
	var want []*string
	for _, tl := range sample {
		asked = append(asked, [3]uint32{uint32(tl.z), tl.x, tl.y})
		if len(tl.data) == 0 {
			want = append(want, nil)
			continue
		}
		s := sha256.Sum256(tl.data)
		h := hex.EncodeToString(s[:])
		want = append(want, &h)
	}
	for _, a := range absent {
		asked = append(asked, a)
		want = append(want, nil)
	}
	header, gotMeta, ids, sums := jsRead(t, b, asked)
	for i, a := range asked {
		if ids[i] != pmtiles.TileID(uint8(a[0]), a[1], a[2]) {
			t.Fatalf("tile %v: the JavaScript id %d, ours %d", a, ids[i], pmtiles.TileID(uint8(a[0]), a[1], a[2]))
		}
		if (sums[i] == nil) != (want[i] == nil) || (sums[i] != nil && *sums[i] != *want[i]) {
			t.Fatalf("tile %v: read %v, want %v", a, sums[i], want[i])
		}
	}
	h := own.Header
	for k, v := range map[string]float64{"specVersion": 3, "numAddressedTiles": float64(h.Addressed),
		"numTileEntries": float64(h.Entries), "numTileContents": float64(h.Contents), "tileType": 1,
		"tileCompression": 2, "internalCompression": 2, "minZoom": 0, "maxZoom": 14, "minLon": 26, "maxLat": 42,
		"centerZoom": 5, "centerLon": 35.5, "centerLat": 39, "leafDirectoryLength": float64(h.LeafLength)} {
		if header[k] != v {
			t.Errorf("header %s = %v, want %v", k, header[k], v)
		}
	}
	if header["clustered"] != true {
		t.Error("not clustered")
	}
	if gotMeta["name"] != "kume" || gotMeta["format"] != "pbf" || len(gotMeta["vector_layers"].([]any)) != 1 {
		t.Errorf("metadata %v", gotMeta)
	}
}

// TestArchiveReadByPMTilesJS: the pmtiles JavaScript library, an independent
// reader of the specification, reads a small archive (root directory only,
// deduplicated and run-length tiles) and a large one (leaf directories) with
// the same tile ids, contents, header and metadata.
func TestArchiveReadByPMTilesJS(t *testing.T) {
	jsReader(t)
	t.Run("root only", func(t *testing.T) {
		checkWithJS(t, smallTiles(), [][3]uint32{{6, 63, 63}, {7, 0, 0}, {5, 31, 31}}, false)
	})
	t.Run("leaf directories", func(t *testing.T) {
		// 150,000 tiles scattered over zoom 14 with contents of random
		// length: far too many entries for a root directory of 16 kB.
		rng := rand.New(rand.NewPCG(1, 1))
		seen := map[[2]uint32]bool{}
		var tiles []tile
		for len(tiles) < 150_000 {
			x, y := 8000+uint32(rng.IntN(2000)), 6000+uint32(rng.IntN(1000))
			if seen[[2]uint32{x, y}] {
				continue
			}
			seen[[2]uint32{x, y}] = true
			data := make([]byte, 1+rng.IntN(64))
			for i := range data {
				data[i] = byte(rng.IntN(256))
			}
			tiles = append(tiles, tile{14, x, y, data})
		}
		sample := make([]tile, 0, 2000)
		for range 2000 {
			sample = append(sample, tiles[rng.IntN(len(tiles))])
		}
		var absent [][3]uint32
		for len(absent) < 50 {
			x, y := 8000+uint32(rng.IntN(2000)), 6000+uint32(rng.IntN(1000))
			if !seen[[2]uint32{x, y}] {
				absent = append(absent, [3]uint32{14, x, y})
			}
		}
		checkArchiveWithJS(t, tiles, sample, absent, true)
	})
}
