package layer

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// TileQuery asks for one layer of one vector tile. The tile service fills it
// with everything its own encoder reads for that layer, already resolved, and a
// store's encoder (such as the PostGIS store's ST_AsMVT) answers it.
type TileQuery struct {
	// Layer is Regions, Clusters, Establishments or Institutions.
	Layer string
	// Name is the layer's name in the tile.
	Name string
	// Z, X and Y address the tile (XYZ scheme, row 0 at the north).
	Z, X, Y uint32
	// Extent is the tile's coordinate range; Buffer how far, in tile units,
	// geometry reaches beyond its edge.
	Extent, Buffer uint32
	// Simplify is the Douglas–Peucker tolerance of polygons in tile units.
	Simplify float64
	// BBox is the buffered tile in WGS84 degrees, clamped to the Web Mercator
	// world: the features read are those whose bounding box meets it.
	BBox orb.Bound
	// Analysis is the analysis version of the clusters and of the regions'
	// statistics; 0 when there is none (no clusters, regions without
	// statistics).
	Analysis int64
	// Sector is the sector key of the regions' statistics.
	Sector string
	// ClusterSectors are the keys whose clusters the clusters layer holds
	// (Sectors.ClusterKeys; nil: every key's).
	ClusterSectors []string
	// Level restricts the regions to one level ("" = all).
	Level string
	// Type restricts the institutions to one type ("" = all).
	Type kume.InstitutionType
	// ActiveAt is the time at which the point layers' establishments must be
	// active.
	ActiveAt time.Time
	// NACEPrefixes restricts the establishments layer to NACE codes with one of
	// these prefixes (none = all; see Sectors.Prefixes).
	NACEPrefixes []string
	// Limit caps the point layers' features: the lowest establishment ids
	// among those the filters keep, before the tile's edge is applied (0 = no
	// cap).
	Limit int
	// AllDatasets shows the establishments of every dataset in the point
	// layers (a caller who may read them all); otherwise they show the
	// public datasets and Granted, the private datasets the caller was
	// granted.
	AllDatasets bool
	Granted     []int64
}
