package ingest

import "strings"

// naceCache remembers a SectorCoder's answers: a register repeats the same
// few hundred codes, and normalising one costs far more than a map lookup.
// It is used by one goroutine; it stops growing at naceCacheSize entries.
type naceCache struct {
	coder SectorCoder
	m     map[string]naceAnswer
}

type naceAnswer struct {
	code string
	ok   bool
}

// naceCacheSize bounds the entries of a naceCache.
const naceCacheSize = 4096

func newNACECache(c SectorCoder) *naceCache {
	return &naceCache{coder: c, m: make(map[string]naceAnswer)}
}

// Normalize implements SectorCoder.
func (c *naceCache) Normalize(raw string) (string, bool) {
	if a, ok := c.m[raw]; ok {
		return a.code, a.ok
	}
	code, ok := c.coder.Normalize(raw)
	if len(c.m) < naceCacheSize {
		c.m[strings.Clone(raw)] = naceAnswer{code, ok}
	}
	return code, ok
}
