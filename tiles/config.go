package tiles

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/layer"
)

// ZoomRange is an inclusive range of zoom levels.
type ZoomRange struct {
	Min int `json:"minzoom"`
	Max int `json:"maxzoom"`
}

// Config holds the tile service's settings. DefaultConfig documents every
// default; a zero field of a Config given to New takes the default.
type Config struct {
	// Extent is the tile's coordinate range (4096).
	Extent uint32
	// Buffer is how far, in tile units, geometry reaches beyond the tile's edge
	// (64, i.e. 1/64 of the tile), so that lines and fills join seamlessly.
	Buffer uint32
	// Simplify is the Douglas–Peucker tolerance in tile units applied to region
	// and cluster outlines (1.0). Hexagons are never simplified.
	Simplify float64
	// ResByZoom maps a zoom level to the H3 resolution of the hexagons layer;
	// zooms beyond the table use its last entry. See DefaultResByZoom.
	ResByZoom []int
	// Resolutions are the analysed resolutions the table is clamped to. When
	// empty they are read from the latest analysis run's parameters (field
	// "resolutions"), and when the run does not name them, 4..9 are assumed.
	Resolutions []int
	// ResBelow and ResAbove bound ?res=: it may be at most ResBelow coarser and
	// ResAbove finer than the table's resolution for the zoom (2 and 1), and
	// must be an analysed resolution.
	ResBelow, ResAbove int
	// Zooms overrides the zoom range of a layer, by layer name.
	Zooms map[string]ZoomRange
	// MaxPoints caps the features of a point layer in one tile (10,000).
	MaxPoints int
	// CacheBytes bounds the tile cache by the byte size of the tiles it holds
	// (256 MiB). A negative value turns the cache off.
	CacheBytes int64
	// BoundaryCells bounds the cache of projected H3 cell outlines (600,000,
	// about 200 bytes each; enough for the cells of z8–10 over a country the
	// size of Türkiye, so that cold tiles rarely compute an outline).
	BoundaryCells int
	// VersionCheck is how long the service trusts the data version it last read
	// from the store before asking again (1 s); a negative value asks on every
	// request.
	VersionCheck time.Duration
	// BuildTimeout bounds the building of one tile (30 s). A tile is built
	// without the requesting client's cancellation, because concurrent
	// requests for the same tile share the work.
	BuildTimeout time.Duration
	// CacheControl is the Cache-Control header of tile responses
	// ("public, max-age=60").
	CacheControl string
	// Attribution is the TileJSON attribution (HTML allowed).
	Attribution string
	// Bounds is the area the TileJSON documents announce and PMTiles exports
	// cover (the Web Mercator world).
	Bounds orb.Bound
	// Now returns the time at which establishments must be active to appear
	// (time.Now).
	Now func() time.Time
	// Encoder, when set, encodes the regions, clusters, establishments and
	// institutions layers in the service's place (see LayerEncoder); nil uses
	// the service's own encoder. Hexagons are always the service's.
	Encoder LayerEncoder
	// Sectors parses and expands the sector parameter (nil: the shipped NACE
	// taxonomy with the value chains in force in the store).
	Sectors *layer.Sectors
	// Emerging runs the emerging hot spot analyses of the emerging layer (nil:
	// the layer answers ENOTSUPPORTED). Give the engine the HTTP API uses, so
	// that both share its answers and its bounds.
	Emerging *emerging.Engine
}

// DefaultResByZoom returns the default zoom → H3 resolution table: res ≈ zoom −
// 2 at low zooms, flattening to res ≈ zoom/2 + 3 from zoom 10, so that a tile
// holds a few hundred to a few thousand cells:
//
//	zoom  0–4  5  6  7  8  9  10–11  12–13  14–15  16+
//	res     2  3  4  5  6  7      8      9     10   11
//
// The result is clamped to the analysed resolutions (by default 4..9), so with
// the default analysis zooms 0–6 show res 4 and zooms 12+ show res 9.
func DefaultResByZoom() []int {
	t := make([]int, MaxZoom+1)
	for z := range t {
		t[z] = max(2, min(z-2, z/2+3))
	}
	return t
}

// DefaultZooms returns each layer's default zoom range.
func DefaultZooms() map[string]ZoomRange {
	return map[string]ZoomRange{
		LayerHexagons:       {Min: 3, Max: 16},
		LayerClusters:       {Min: 3, Max: 16},
		LayerEstablishments: {Min: 12, Max: 18},
		LayerInstitutions:   {Min: 8, Max: 18},
		LayerRegions:        {Min: 0, Max: 14},
		LayerEmerging:       {Min: 3, Max: 16},
	}
}

// DefaultConfig returns the default settings.
func DefaultConfig() Config {
	return Config{
		Extent:        4096,
		Buffer:        64,
		Simplify:      1,
		ResByZoom:     DefaultResByZoom(),
		ResBelow:      2,
		ResAbove:      1,
		Zooms:         DefaultZooms(),
		MaxPoints:     10000,
		CacheBytes:    256 << 20,
		BoundaryCells: 600000,
		VersionCheck:  time.Second,
		BuildTimeout:  30 * time.Second,
		CacheControl:  "public, max-age=60",
		Now:           time.Now,
		Bounds:        orb.Bound{Min: orb.Point{-180, -maxLat}, Max: orb.Point{180, maxLat}},
	}
}

// withDefaults fills zero fields from DefaultConfig and checks the result.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Extent == 0 {
		c.Extent = d.Extent
	}
	if c.Buffer == 0 {
		c.Buffer = d.Buffer
	}
	if c.Simplify == 0 {
		c.Simplify = d.Simplify
	}
	if len(c.ResByZoom) == 0 {
		c.ResByZoom = d.ResByZoom
	}
	if c.ResBelow == 0 && c.ResAbove == 0 {
		c.ResBelow, c.ResAbove = d.ResBelow, d.ResAbove
	}
	zooms := d.Zooms
	for name, r := range c.Zooms {
		if _, ok := zooms[name]; !ok {
			return c, fmt.Errorf("tiles: config: zoom range for unknown layer %q", name)
		}
		zooms[name] = r
	}
	c.Zooms = zooms
	if c.MaxPoints == 0 {
		c.MaxPoints = d.MaxPoints
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = d.CacheBytes
	}
	if c.BoundaryCells == 0 {
		c.BoundaryCells = d.BoundaryCells
	}
	if c.VersionCheck == 0 {
		c.VersionCheck = d.VersionCheck
	}
	if c.BuildTimeout == 0 {
		c.BuildTimeout = d.BuildTimeout
	}
	if c.CacheControl == "" {
		c.CacheControl = d.CacheControl
	}
	if c.Bounds.IsZero() {
		c.Bounds = d.Bounds
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	switch {
	case c.Extent > 1<<16 || c.Buffer > c.Extent:
		return c, fmt.Errorf("tiles: config: extent %d and buffer %d out of range", c.Extent, c.Buffer)
	case c.Simplify < 0 || c.ResBelow < 0 || c.ResAbove < 0 || c.MaxPoints < 0:
		return c, fmt.Errorf("tiles: config: negative simplify, res window or max points")
	}
	for _, r := range append(append([]int(nil), c.ResByZoom...), c.Resolutions...) {
		if r < 0 || r > 15 {
			return c, fmt.Errorf("tiles: config: H3 resolution %d outside 0..15", r)
		}
	}
	for name, r := range c.Zooms {
		if r.Min < 0 || r.Max > MaxZoom || r.Min > r.Max {
			return c, fmt.Errorf("tiles: config: zoom range %d..%d of %s outside 0..%d", r.Min, r.Max, name, MaxZoom)
		}
	}
	return c, nil
}
