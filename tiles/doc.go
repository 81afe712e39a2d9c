// Package tiles serves kume's data as Mapbox Vector Tiles (specification 2.1)
// with TileJSON 3.0.0 documents, an in-process cache with selective
// invalidation, and PMTiles v3 export.
//
// # Layers
//
//   - hexagons: cell statistics of ?sector= ("" for all firms, a NACE code at
//     any level, or vc:<id>) at the H3 resolution of the zoom (see
//     DefaultResByZoom; ?res= may pick a resolution up to two coarser or one
//     finer, if it was analysed). Properties: cell (hex id), res, firms,
//     employees, lq, gi_z, gi_p, gi_bin, share_imprecise, suppressed.
//   - clusters: the clusters of ?sector= (every sector's without it) with
//     id, name, name_tr, place, sector, res, firms, employees, focus_firms,
//     lq, p_value, stars, strong, institutions (count inside), completeness,
//     ecosystem (the share of its kinds of supporting actor present) and
//     suppressed.
//   - establishments: active firms of public datasets (default zoom 12+) with
//     id, name, nace and an employee size band; ?sector= filters by NACE.
//   - institutions: supporting institutions with id, name and type; ?type=
//     filters.
//   - regions: boundaries from zoom 0 (the offline basemap) with code, name,
//     level and parent, and the region statistics of ?sector= (firms,
//     employees, lq, lq_employment, stars, strong, suppressed); ?level=
//     filters.
//
// A request may name several distinct layers ("hexagons,clusters"); naming a
// layer twice is refused. The zoom range of a list is the union of its
// layers' ranges; a layer outside its own range is left out of the tile.
//
// # Disclosure control
//
// Tiles are public. A suppressed hexagon, cluster or region statistic shows
// its identity and suppressed=true only (layer.Withheld): every count,
// statistic, star and flag is left out. Establishments of private datasets
// never appear, and exact head counts are published only as size bands. Each
// layer's properties come from its definition in package layer; the golden
// files of package api hold a tile of each layer beside its other faces.
//
// # Encoding
//
// Layers are written with version 2 and extent 4096; geometry reaches 64 units
// beyond the tile, is clipped and simplified with orb, rounded to the grid and
// written with exterior rings of positive area in y-down tile coordinates
// whatever the input's winding. Empty layers are left out and a tile without
// features is empty. Package tiles/mvtcheck checks all of this on raw bytes.
//
// A store may encode the regions, clusters, establishments and institutions
// layers itself (Config.Encoder, a LayerEncoder such as the PostGIS store's
// ST_AsMVT) with the same features, ids and properties; the hexagons layer is
// always encoded here.
//
// # Caching and invalidation
//
// Tiles are cached with their gzip form and a strong ETag (a hash of the bytes,
// layers, parameters and address) in a cache bounded by byte size; concurrent
// requests for a missing tile build it once. Keys carry the analysis version
// (analysis layers) or the data version (point layers). When a new analysis
// appears, Invalidate evicts only the tiles whose cells, clusters or regions
// changed their published values and re-keys the others to the new version;
// point layers are dropped whenever the data version moves. Region outlines
// are not versioned by the store: after changing them, restart the service or
// bump the data version.
package tiles
