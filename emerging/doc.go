// Package emerging runs the emerging hot spot analysis (geo.Emerging: ArcGIS
// Pro's space-time Gi*, the Mann-Kendall trend, 17 categories) over a store's
// firms on demand, for every face that shows it: GET /api/v1/emerging, the
// emerging vector tiles, the GeoJSON and CSV exports ("kume export" too), the
// cluster dynamics and the "emerging" ranking component. There is one grammar
// of the request (ParseOptions), one computation (Engine.Run) and one cache of
// its answers, keyed by the data version, so that a tile, an export and the
// API never compute the same cube twice or differently.
//
// A computation is bounded: the bins of its cube (cells × time steps) are
// capped (MaxBins, AnonymousMaxBins for anonymous callers, whose requests
// include every tile), at most Config.MaxRunning cubes are computed at once and
// at most Config.MaxWaiting requests wait for a turn; beyond that a request is
// EUNAVAILABLE. Identical requests arriving together share one computation,
// which stops when every caller waiting for it has gone.
package emerging
