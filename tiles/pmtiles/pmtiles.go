// Package pmtiles writes PMTiles version 3 archives: a single file of map
// tiles that clients read with HTTP range requests. It implements the open
// specification (github.com/protomaps/PMTiles, spec/v3/spec.md) for what kume
// writes — a clustered archive of gzip-compressed MVT tiles with gzip'd
// directories and JSON metadata — and nothing else: no reading, no other
// compressions or tile types.
//
// An archive is a 127-byte header, a root directory within the first 16,384
// bytes, the metadata, leaf directories when the root cannot hold every entry,
// and the tile data in tile id order. Tile ids number the tiles of every zoom
// along a Hilbert curve (TileID); identical tiles are stored once, and runs of
// consecutive ids with the same content become one directory entry.
package pmtiles

// Spec constants.
const (
	// HeaderLen is the length of a version 3 header.
	HeaderLen = 127
	// rootLimit bounds the header and the root directory together.
	rootLimit = 16384
	// compressionGzip is the gzip value of the compression enums.
	compressionGzip = 2
	// tileTypeMVT is the tile type of Mapbox Vector Tiles.
	tileTypeMVT = 1
)

// TileID returns the PMTiles tile id of tile z/x/y: the number of tiles of
// the zooms below z, (4^z − 1)/3, plus the position of (x, y) along the
// Hilbert curve that fills the 2^z × 2^z grid. It panics for z above 31 or x,
// y outside the grid, which no valid tile address has.
func TileID(z uint8, x, y uint32) uint64 {
	if z > 31 || uint64(x) >= 1<<z || uint64(y) >= 1<<z {
		panic("pmtiles: tile address out of range")
	}
	acc := (uint64(1)<<(2*uint64(z)) - 1) / 3
	return acc + hilbert(uint64(1)<<z, uint64(x), uint64(y))
}

// hilbert returns the distance of (x, y) along the Hilbert curve of an n × n
// grid (n a power of two): at each scale s, the quadrant (rx, ry) adds its
// s² cells in curve order, then the point is rotated into the orientation of
// that quadrant's sub-curve.
func hilbert(n, x, y uint64) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}
