// Package layer holds, in one place, the rules that every face of kume's
// published layers shares — vector tiles from either encoder, GeoJSON and CSV
// exports, OGC API Features, the JSON API and "kume export":
//
//   - the sector key that selects what a layer shows (Sectors: Parse,
//     Prefixes and ChainsInForce, the value chains in force);
//   - the properties of each layer and their types (Hexagons, Clusters,
//     Regions, Establishments, Institutions, Properties);
//   - the public view of a suppressed aggregate (Withheld, MaskJSON);
//   - the query of one layer of one vector tile (TileQuery), which the tile
//     service asks and a store's own encoder answers;
//   - the H3 cell geometry the tile readers share (EdgeKm, GrowBox) and the
//     default resolution (DefaultRes).
//
// The package sits beside the domain types of package kume and depends on
// them, the NACE taxonomy and the shipped value chains only; api, tiles,
// export, the stores and cmd/kume consume it.
package layer

// Layer names.
const (
	Hexagons       = "hexagons"
	Clusters       = "clusters"
	Establishments = "establishments"
	Institutions   = "institutions"
	Regions        = "regions"
)

// DefaultRes is the H3 resolution of the hexagons layer, of local Moran's I and
// of a cell or cluster ranking without clusters when none is asked for.
const DefaultRes = 7
