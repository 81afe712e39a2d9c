package geo

import (
	"sync"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// edgeCache keeps, for the footprints of one resolution, the directed edges
// of every cell outlined and the boundary of every edge drawn, so that each
// is computed by H3 once: the same hot cells recur in the footprints of many
// sector keys (at a million firms each boundary edge was drawn about seven
// times, each cell outlined about twenty times). It is safe for concurrent
// use; a nil cache computes everything afresh.
type edgeCache struct {
	mu     sync.Mutex
	cells  map[uint64][]cellEdge
	bounds map[uint64][]orb.Point
}

// cellEdge is a directed edge of a cell and the neighbour it leads to.
type cellEdge struct{ edge, dest uint64 }

func newEdgeCache() *edgeCache {
	return &edgeCache{cells: map[uint64][]cellEdge{}, bounds: map[uint64][]orb.Point{}}
}

// edges returns the directed edges of cell c (five for a pentagon), in the
// order of h3's DirectedEdges. The slice is shared: callers must not modify
// it.
func (ec *edgeCache) edges(c uint64) []cellEdge {
	return memo(ec, func(ec *edgeCache) map[uint64][]cellEdge { return ec.cells }, c, func() []cellEdge {
		hs := h3.Cell(int64(c)).DirectedEdges()
		es := make([]cellEdge, len(hs))
		for i, e := range hs {
			es[i] = cellEdge{edge: uint64(e), dest: uint64(e.Destination())}
		}
		return es
	})
}

// boundary returns the points of a directed edge as (lon, lat), two or
// three (with a vertex where the edge crosses an icosahedron face). The
// slice is shared: callers must not modify it.
func (ec *edgeCache) boundary(e uint64) []orb.Point {
	return memo(ec, func(ec *edgeCache) map[uint64][]orb.Point { return ec.bounds }, e, func() []orb.Point {
		b := h3.DirectedEdge(int64(e)).Boundary()
		pts := make([]orb.Point, len(b))
		for i, v := range b {
			pts[i] = orb.Point{v.Lng, v.Lat}
		}
		return pts
	})
}

// memo returns k's value in the map of ec that in picks, computing and
// keeping it first if the map lacks it, under ec's lock; with a nil cache it
// computes it every time.
func memo[V any](ec *edgeCache, in func(*edgeCache) map[uint64]V, k uint64, compute func() V) V {
	if ec == nil {
		return compute()
	}
	m := in(ec)
	ec.mu.Lock()
	v, ok := m[k]
	ec.mu.Unlock()
	if ok {
		return v
	}
	v = compute()
	ec.mu.Lock()
	m[k] = v
	ec.mu.Unlock()
	return v
}
