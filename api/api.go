// Package api is kume's HTTP interface: a chi router with the JSON API, tiles,
// exports, OGC API Features and the web application. It depends on the domain
// (package kume) and never on a concrete store.
package api
