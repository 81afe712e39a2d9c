package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/kume-geo/kume/tiles"
	"github.com/kume-geo/kume/tiles/pmtiles/pmtilestest"
)

// staticHost serves one file as a static host or CDN does (http.ServeContent:
// range requests, 206 Partial Content) and records every request's Range
// header and the bytes sent.
type staticHost struct {
	mu     sync.Mutex
	ranges []string
	sent   int64
}

func (h *staticHost) serve(t *testing.T, path string) *httptest.Server {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		cw := &countingWriter{ResponseWriter: w}
		http.ServeContent(cw, r, filepath.Base(path), st.ModTime(), f)
		h.mu.Lock()
		h.ranges = append(h.ranges, r.Method+" "+r.Header.Get("Range"))
		h.sent += cw.n
		h.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv
}

// countingWriter counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// rangeReader reads a URL with one HTTP range request per ReadAt.
type rangeReader struct {
	url    string
	client *http.Client
}

func (r rangeReader) ReadAt(p []byte, off int64) (int, error) {
	req, err := http.NewRequest(http.MethodGet, r.url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1))
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		return 0, fmt.Errorf("range %d+%d: %s, want 206", off, len(p), resp.Status)
	}
	return io.ReadFull(resp.Body, p)
}

// TestPMTilesRangeReads exports a PMTiles archive of one data version,
// serves it as a static file, reads its header, directories and tiles with
// HTTP range requests only (kume's reader and the pmtiles JavaScript
// library, as a browser reads from a CDN), and compares every tile with the
// tile server's answer at that version.
func TestPMTilesRangeReads(t *testing.T) {
	dir := t.TempDir()
	csv := genDemo(t, 3000, 5, 0)
	mustRun(t, "import", csv, "--dataset", "synthetic", "--visibility", "public", "--store", dir)
	out := t.TempDir()
	const layers = "regions,hexagons,clusters"
	r := mustRun(t, "export", "pmtiles", "--store", dir, "--layers", layers, "--minzoom", "4", "--maxzoom", "8", "-o", out)
	names, _ := filepath.Glob(filepath.Join(out, "kume-v*.pmtiles"))
	if len(names) != 1 {
		t.Fatalf("export wrote %v; want one kume-v<version>.pmtiles (stderr %s)", names, r.stderr)
	}
	version, err := strconv.ParseInt(regexp.MustCompile(`kume-v(\d+)\.pmtiles$`).FindStringSubmatch(names[0])[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	size := fileSize(t, names[0])

	base := serveStoreConfig(t, storeConfig{Dir: dir})
	resp, b := fetch(t, base+"/tiles/"+layers+".json")
	var tj tiles.TileJSON
	if err := json.Unmarshal(b, &tj); err != nil || tj.DataVersion == nil || *tj.DataVersion != version {
		t.Fatalf("TileJSON %s %s: want data version %d, the archive's", resp.Status, b, version)
	}

	host := &staticHost{}
	static := host.serve(t, names[0])
	a, err := pmtilestest.ReadAt(rangeReader{url: static.URL + "/a.pmtiles", client: static.Client()}, size)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Metadata["data_version"].(float64); int64(v) != version {
		t.Errorf("metadata data_version %v, want %d", a.Metadata["data_version"], version)
	}
	// Tiles over the data's cities and around them, and one far away.
	var asked [][3]uint32
	for z := uint32(4); z <= 8; z++ {
		for _, p := range [][2]float64{{29.0, 41.02}, {32.85, 39.93}, {27.14, 38.42}, {35.0, 37.0}, {-40, 10}} {
			id := tileOf(p[0], p[1], z)
			asked = append(asked, [3]uint32{id.Z, id.X, id.Y})
		}
	}
	want := map[[3]uint32][]byte{}
	found := 0
	for _, id := range asked {
		got, ok, err := a.Tile(uint8(id[0]), id[1], id[2])
		if err != nil {
			t.Fatalf("tile %v from the archive: %v", id, err)
		}
		resp, body := fetch(t, fmt.Sprintf("%s/tiles/v/%d/%s/%d/%d/%d.mvt", base, version, layers, id[0], id[1], id[2]))
		switch {
		case resp.StatusCode == http.StatusNoContent:
			if ok && len(got) > 0 {
				t.Errorf("tile %v: the archive holds %d bytes, the server none", id, len(got))
			}
		case resp.StatusCode != http.StatusOK:
			t.Fatalf("tile %v from the server: %s %s", id, resp.Status, body)
		case !ok || !bytes.Equal(got, body):
			t.Errorf("tile %v: %d bytes in the archive (present %v), %d from the server", id, len(got), ok, len(body))
		default:
			found++
		}
		want[id] = body
	}
	if found < 10 {
		t.Errorf("only %d of %d tiles have content: the test compares too little", found, len(asked))
	}
	host.mu.Lock()
	for _, rg := range host.ranges {
		if rg == "GET " {
			t.Errorf("a request without a Range header: %v", host.ranges)
		}
	}
	t.Logf("kume's reader: %d range requests, %d of %d bytes", len(host.ranges), host.sent, size)
	host.ranges, host.sent = nil, 0
	host.mu.Unlock()

	// The pmtiles JavaScript library, over fetch with range requests.
	script := filepath.Join("..", "..", "tiles", "pmtiles", "testdata", "js", "read.mjs")
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "pmtiles")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the pmtiles JavaScript package is missing: run npm ci in tiles/pmtiles/testdata/js")
		}
		t.Skip("the pmtiles JavaScript package is missing: run npm ci in tiles/pmtiles/testdata/js")
	}
	in, _ := json.Marshal(map[string]any{"tiles": asked})
	cmd := exec.Command("node", script, static.URL+"/a.pmtiles")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, stderr.String())
	}
	var js struct {
		Metadata map[string]any `json:"metadata"`
		Tiles    []struct {
			SHA256 *string `json:"sha256"`
		} `json:"tiles"`
	}
	if err := json.Unmarshal(res, &js); err != nil || len(js.Tiles) != len(asked) {
		t.Fatalf("reader output %.300s: %v", res, err)
	}
	if v, _ := js.Metadata["data_version"].(float64); int64(v) != version {
		t.Errorf("pmtiles.js: metadata data_version %v, want %d", js.Metadata["data_version"], version)
	}
	for i, id := range asked {
		w := want[id]
		switch sum := js.Tiles[i].SHA256; {
		case len(w) == 0 && sum != nil:
			t.Errorf("pmtiles.js: tile %v present, the server has none", id)
		case len(w) > 0 && (sum == nil || *sum != sha(w)):
			t.Errorf("pmtiles.js: tile %v differs from the server's", id)
		}
	}
	host.mu.Lock()
	defer host.mu.Unlock()
	for _, rg := range host.ranges {
		if rg == "GET " {
			t.Errorf("pmtiles.js sent a request without a Range header: %v", host.ranges)
		}
	}
	if host.sent >= size {
		t.Errorf("pmtiles.js read %d bytes of a %d-byte archive: not by ranges", host.sent, size)
	}
	t.Logf("pmtiles.js: %d requests, %d of %d bytes", len(host.ranges), host.sent, size)
}

// fileSize returns the size of a file.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// sha returns the hexadecimal SHA-256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
