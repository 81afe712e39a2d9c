// Package kume holds the domain of the kume cluster-mapping service: establishments
// (firms and supporting institutions), datasets, regions, analysis results, the
// store interfaces that the PostGIS and embedded stores implement, and the error
// codes that the HTTP layer maps to status codes.
//
// The package depends only on the standard library and orb. Everything that talks
// to the outside world (databases, files, HTTP) lives in a subpackage and is wired
// together in cmd/kume.
package kume
