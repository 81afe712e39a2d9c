package api

import (
	"io"

	"github.com/kume-geo/kume"
	"slices"
	"strconv"
	"sync"
)

// Limits of the /emerging answer cache.
const (
	emergingCacheEntries  = 32
	emergingCacheBytes    = 64 << 20
	emergingCacheEntryMax = 8 << 20
)

// emergingCache keeps recent /emerging answers by data version and query:
// an answer is valid while the data version it was computed at is the
// current one. Putting an answer of a newer version drops the older ones;
// beyond its limits the least recently used go first. It is safe for
// concurrent use.
type emergingCache struct {
	mu      sync.Mutex
	entries []cacheEntry // least recently used first
	size    int
}

type cacheEntry struct {
	version int64
	key     string
	body    []byte
}

func newEmergingCache() *emergingCache { return &emergingCache{} }

// emergingKey is the cache key of a request: who may see what (anonymous
// or not, the datasets it reads and the analysis whose parameters it takes),
// and the query in canonical order.
func emergingKey(public bool, a kume.Access, analysis int64, p params) string {
	return strconv.FormatBool(public) + "/" + a.Key() + "/" + strconv.FormatInt(analysis, 10) + "?" + p.v.Encode()
}

// get returns the answer to key at version, if kept.
func (c *emergingCache) get(version int64, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.version == version && e.key == key {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.body, true
		}
	}
	return nil, false
}

// put keeps body as the answer to key at version.
func (c *emergingCache) put(version int64, key string, body []byte) {
	if len(body) > emergingCacheEntryMax {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = slices.DeleteFunc(c.entries, func(e cacheEntry) bool {
		return e.version < version || (e.version == version && e.key == key)
	})
	if len(c.entries) > 0 && c.entries[0].version > version {
		return // computed before a newer version arrived
	}
	c.entries = append(c.entries, cacheEntry{version: version, key: key, body: body})
	c.size = 0
	for _, e := range c.entries {
		c.size += len(e.body)
	}
	for len(c.entries) > emergingCacheEntries || c.size > emergingCacheBytes {
		c.size -= len(c.entries[0].body)
		c.entries = c.entries[1:]
	}
}

// cappedTee writes through to w and keeps a copy of what it wrote while it
// stays within limit bytes; buf is nil once it has not.
type cappedTee struct {
	w     io.Writer
	limit int
	buf   []byte
	over  bool
}

func (t *cappedTee) Write(p []byte) (int, error) {
	if !t.over {
		if len(t.buf)+len(p) > t.limit {
			t.over, t.buf = true, nil
		} else {
			t.buf = append(t.buf, p...)
		}
	}
	return t.w.Write(p)
}
