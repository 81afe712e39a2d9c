package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
)

// cacheKey identifies a cached tile: its layers, canonical parameters, address,
// the data versions it was built from (0 for a version it does not read) and,
// for the point layers, the datasets its caller may read (kume.Access.Key).
// The analysis version is that of the analysis the caller reads, so the
// tiles of an analysis never serve a caller of another.
type cacheKey struct {
	layers   string
	params   Params
	tile     TileID
	analysis int64
	data     int64
	access   string
}

// entry is a cached tile.
type entry struct {
	tile Tile
}

// weight is the entry's approximate memory footprint in bytes.
func (e *entry) weight(k cacheKey) uint32 {
	// The gzip form is made on first use; its size is counted as half the
	// tile's, about what hexagon and outline tiles compress to.
	n := 200 + len(k.layers) + len(k.access) + len(k.params.Sector) + len(k.params.Level) + len(e.tile.Data)*3/2 + 2*len(e.tile.ETag)
	return uint32(min(n, 1<<31))
}

// build encodes the tile of req at the data versions v and computes its entity
// tag. The gzip form is made when a client first asks for it.
func (s *Service) build(ctx context.Context, req Request, v *versions, key cacheKey) (*entry, error) {
	data, err := s.encode(ctx, req, v, "")
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return &entry{}, nil
	}
	return &entry{tile: Tile{Data: data, ETag: etag(key, data), gz: &lazyGzip{pool: &s.gzip}}}, nil
}

// lazyGzip holds the gzip form of a tile, compressed on first use.
type lazyGzip struct {
	once sync.Once
	pool *sync.Pool // of *gzip.Writer at gzip.BestSpeed
	gz   []byte
}

// compress returns data gzip-compressed, compressing it on the first call.
func (l *lazyGzip) compress(data []byte) []byte {
	l.once.Do(func() {
		zw, _ := l.pool.Get().(*gzip.Writer)
		var buf bytes.Buffer
		buf.Grow(len(data)/2 + 64)
		if zw == nil {
			// BestSpeed is a valid level: no error.
			zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		} else {
			zw.Reset(&buf)
		}
		// Writes to a bytes.Buffer do not fail.
		_, _ = zw.Write(data)
		_ = zw.Close()
		l.pool.Put(zw)
		l.gz = buf.Bytes()
	})
	return l.gz
}

// etag returns a strong entity tag of a tile's bytes and of the layers and
// parameters that produced them. It changes whenever a new data version changes
// the tile's content and stays the same when the new version leaves the tile
// as it was, so clients revalidate unchanged tiles with a 304.
func etag(k cacheKey, data []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", k.layers, k.params.key(), k.tile)
	h.Write(data)
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}
