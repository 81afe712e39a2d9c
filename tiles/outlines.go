package tiles

import (
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// maxOutline is the most vertices an H3 cell outline has.
const maxOutline = 10

// worldBits is the precision of outlines in the cache: world coordinates are
// integers in units of 2^-worldBits of the Web Mercator world's width. At
// zoom 22 with an extent of 2^16 a tile unit is still 4 of them.
const worldBits = 40

// worldUnit is the size of one fixed-point unit in world coordinates.
const worldUnit = 1.0 / (1 << worldBits)

// outline is a cell's outline in fixed-point Web Mercator world coordinates
// (y down), without closing point. An outline that crosses the antimeridian is
// unwrapped east of it, so x may reach past the world's width.
type outline struct {
	n   int
	pts [maxOutline][2]int64
}

// outlineShards is the number of independently locked parts of the cache.
const outlineShards = 64

// outlineCache is a bounded cache of cell outlines. Its entries hold no
// pointers, so the garbage collector does not scan them, and a lookup costs one
// map read under a shard's read lock. A full shard replaces its oldest entry.
type outlineCache struct {
	shards [outlineShards]outlineShard
}

// outlineShard is one part of an outlineCache.
type outlineShard struct {
	mu    sync.RWMutex
	idx   map[uint64]int32 // cell → slot
	slots []outlineSlot
	size  int // most slots
	hand  int // next slot to replace once the shard is full
}

// outlineSlot is a cached outline and its cell.
type outlineSlot struct {
	cell uint64
	o    outline
}

// newOutlineCache returns a cache of about capacity outlines; none when
// capacity is not positive.
func newOutlineCache(capacity int) *outlineCache {
	c := &outlineCache{}
	per := 0
	if capacity > 0 {
		per = (capacity + outlineShards - 1) / outlineShards
	}
	for i := range c.shards {
		c.shards[i].size = per
		c.shards[i].idx = make(map[uint64]int32)
	}
	return c
}

func (c *outlineCache) shard(cell uint64) *outlineShard {
	// The low bits of an H3 index are its finest digits (often unused and
	// all set); mix the whole index.
	h := cell * 0x9e3779b97f4a7c15
	return &c.shards[h>>58]
}

// get copies the cached outline of cell into o and reports whether there was
// one.
func (c *outlineCache) get(cell uint64, o *outline) bool {
	s := c.shard(cell)
	s.mu.RLock()
	i, ok := s.idx[cell]
	if ok {
		*o = s.slots[i].o
	}
	s.mu.RUnlock()
	return ok
}

// put stores the outline of cell.
func (c *outlineCache) put(cell uint64, o *outline) {
	s := c.shard(cell)
	if s.size == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.idx[cell]; ok {
		return
	}
	if len(s.slots) < s.size {
		s.idx[cell] = int32(len(s.slots))
		s.slots = append(s.slots, outlineSlot{cell: cell, o: *o})
		return
	}
	i := s.hand
	s.hand = (s.hand + 1) % s.size
	delete(s.idx, s.slots[i].cell)
	s.slots[i] = outlineSlot{cell: cell, o: *o}
	s.idx[cell] = int32(i)
}

// cellOutline sets o to the outline of an H3 cell, from the cache: projecting
// outlines costs as much as encoding them. It reports false, leaving o empty,
// for an invalid cell.
func (s *Service) cellOutline(cell uint64, o *outline) bool {
	if s.outlines.get(cell, o) {
		return true
	}
	o.n = 0
	c := h3.Cell(int64(cell))
	if cell == 0 || cell > math.MaxInt64 || !c.IsValid() {
		return false
	}
	b := h3.CellToBoundary(c)
	if len(b) < 3 || len(b) > maxOutline {
		return false
	}
	west, east := false, false
	for i, ll := range b {
		w := worldPoint(ll.Lng, ll.Lat)
		o.pts[i] = [2]int64{int64(math.Round(w[0] / worldUnit)), int64(math.Round(w[1] / worldUnit))}
		west = west || w[0] < 0.25
		east = east || w[0] > 0.75
	}
	o.n = len(b)
	if west && east {
		for i := range o.n {
			if o.pts[i][0] < 1<<(worldBits-1) {
				o.pts[i][0] += 1 << worldBits
			}
		}
	}
	s.outlines.put(cell, o)
	return true
}

// cellWorld returns the outline of an H3 cell in Web Mercator world
// coordinates (see cellOutline); an invalid cell has none.
func (s *Service) cellWorld(cell uint64) []orb.Point {
	var o outline
	if !s.cellOutline(cell, &o) {
		return nil
	}
	pts := make([]orb.Point, o.n)
	for i := range pts {
		pts[i] = orb.Point{float64(o.pts[i][0]) * worldUnit, float64(o.pts[i][1]) * worldUnit}
	}
	return pts
}
