package ingest

import (
	"strings"

	"github.com/kume-geo/kume/nace"
)

// naceCache remembers a SectorCoder's answers: a register repeats the same
// few hundred codes, and normalising one costs far more than a map lookup.
// It is used by one goroutine; it stops growing at naceCacheSize entries.
type naceCache struct {
	coder SectorCoder
	m     map[string]naceAnswer
}

type naceAnswer struct {
	code    string
	variant nace.Variant
	ok      bool
}

// naceCacheSize bounds the entries of a naceCache.
const naceCacheSize = 4096

func newNACECache(c SectorCoder) *naceCache {
	return &naceCache{coder: c, m: make(map[string]naceAnswer)}
}

// NormalizeNational implements SectorCoder.
func (c *naceCache) NormalizeNational(raw string) (string, nace.Variant, bool) {
	if a, ok := c.m[raw]; ok {
		return a.code, a.variant, a.ok
	}
	code, v, ok := c.coder.NormalizeNational(raw)
	if len(c.m) < naceCacheSize {
		c.m[strings.Clone(raw)] = naceAnswer{code, v, ok}
	}
	return code, v, ok
}
