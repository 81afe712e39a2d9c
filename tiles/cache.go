package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// cacheKey identifies a cached tile: its layers, canonical parameters, address
// and the data versions it was built from (0 for a version it does not read).
type cacheKey struct {
	layers   string
	params   Params
	tile     TileID
	analysis int64
	data     int64
}

// entry is a cached tile.
type entry struct {
	tile Tile
}

// weight is the entry's approximate memory footprint in bytes.
func (e *entry) weight(k cacheKey) uint32 {
	n := 200 + len(k.layers) + len(k.params.Sector) + len(k.params.Level) + len(e.tile.Data) + len(e.tile.Gzip) + 2*len(e.tile.ETag)
	return uint32(min(n, 1<<31))
}

// build encodes the tile of req at the data versions v, compresses it and
// computes its entity tag.
func (s *Service) build(ctx context.Context, req Request, v *versions, key cacheKey) (*entry, error) {
	data, err := s.encode(ctx, req, v, "")
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return &entry{}, nil
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	return &entry{tile: Tile{Data: data, Gzip: gz.Bytes(), ETag: etag(key, data)}}, nil
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
