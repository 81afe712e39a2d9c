package emerging

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// Config bounds an Engine. A zero field takes its default.
type Config struct {
	// CacheBytes bounds the memory of the answers kept (256 MiB); an answer
	// larger than half of it is not kept.
	CacheBytes int
	// MaxRunning is how many cubes are computed at once (GOMAXPROCS).
	MaxRunning int
	// MaxWaiting is how many more computations may wait for a turn (32);
	// beyond that a request is EUNAVAILABLE.
	MaxWaiting int
	// Now tells the day a span without an end ends at (time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.CacheBytes <= 0 {
		c.CacheBytes = 256 << 20
	}
	if c.MaxRunning <= 0 {
		c.MaxRunning = runtime.GOMAXPROCS(0)
	}
	if c.MaxWaiting <= 0 {
		c.MaxWaiting = 32
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Engine runs emerging hot spot analyses over a store's firms and keeps
// their answers until the data version changes. It is safe for concurrent
// use.
type Engine struct {
	store kume.Store
	keys  *layer.Sectors
	cfg   Config
	turns chan struct{} // one token per running computation

	mu      sync.Mutex
	waiting int
	flight  map[flightKey]*call
	cache   []*Answer // least recently used first
	size    int
	// refused keeps the requests found invalid at a data version (a cube
	// beyond the bound, a span too long), so that asking again, as every tile
	// of a view does, does not read the firms again.
	refused map[flightKey]error
}

// maxRefused bounds Engine.refused.
const maxRefused = 256

type flightKey struct {
	version int64
	key     string
}

// call is a computation in flight and the callers waiting for it.
type call struct {
	done    chan struct{}
	ans     *Answer
	err     error
	waiters int
	cancel  context.CancelFunc
}

// New returns an engine reading firms from st, with the sector keys of keys
// (nil: the shipped taxonomy and the value chains in force in st).
func New(st kume.Store, keys *layer.Sectors, cfg Config) (*Engine, error) {
	if st == nil {
		return nil, fmt.Errorf("emerging: nil store")
	}
	if keys == nil {
		var err error
		if keys, err = layer.NewSectors(nil, st); err != nil {
			return nil, fmt.Errorf("emerging: %w", err)
		}
	}
	cfg = cfg.withDefaults()
	return &Engine{store: st, keys: keys, cfg: cfg, turns: make(chan struct{}, cfg.MaxRunning),
		flight: map[flightKey]*call{}, refused: map[flightKey]error{}}, nil
}

func (e *Engine) now() time.Time { return e.cfg.Now().UTC() }

// Run returns the answer to req at the current data version: from the cache
// (cached true) when an answer of this version is kept, else computed. A
// request identical to one being computed waits for it; a computation stops
// when every caller waiting for it has gone. Invalid options, an unknown
// sector key and a cube beyond the bound are EINVALID; too many computations
// at once EUNAVAILABLE.
func (e *Engine) Run(ctx context.Context, req Request) (ans *Answer, cached bool, err error) {
	if err := req.Validate(); err != nil {
		return nil, false, err
	}
	version, err := e.store.DataVersion(ctx)
	if err != nil {
		return nil, false, err
	}
	fk := flightKey{version: version, key: req.key()}
	e.mu.Lock()
	if a := e.get(fk); a != nil {
		e.mu.Unlock()
		return a, true, nil
	}
	if err := e.refused[fk]; err != nil {
		e.mu.Unlock()
		return nil, false, err
	}
	c := e.flight[fk]
	if c == nil {
		if e.waiting >= e.cfg.MaxRunning+e.cfg.MaxWaiting {
			e.mu.Unlock()
			return nil, false, kume.Errorf(kume.EUNAVAILABLE, "too many emerging hot spot analyses at once; try again shortly")
		}
		e.waiting++
		cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call{done: make(chan struct{}), cancel: cancel}
		e.flight[fk] = c
		go e.start(cctx, c, fk, req)
	}
	c.waiters++
	e.mu.Unlock()
	select {
	case <-c.done:
		return c.ans, false, c.err
	case <-ctx.Done():
		e.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel()
			if e.flight[fk] == c {
				delete(e.flight, fk)
			}
		}
		e.mu.Unlock()
		return nil, false, ctx.Err()
	}
}

// start waits for a turn, computes and keeps the answer.
func (e *Engine) start(ctx context.Context, c *call, fk flightKey, req Request) {
	defer c.cancel()
	var ans *Answer
	var err error
	select {
	case e.turns <- struct{}{}:
		ans, err = e.compute(ctx, req, fk.version)
		<-e.turns
	case <-ctx.Done():
		err = ctx.Err()
	}
	e.mu.Lock()
	e.waiting--
	if e.flight[fk] == c {
		delete(e.flight, fk)
	}
	switch {
	case err == nil:
		e.put(ans)
	case kume.ErrorCode(err) == kume.EINVALID:
		if len(e.refused) >= maxRefused {
			clear(e.refused)
		}
		for k := range e.refused {
			if k.version < fk.version {
				delete(e.refused, k)
			}
		}
		e.refused[fk] = err
	}
	c.ans, c.err = ans, err
	close(c.done)
	e.mu.Unlock()
}

// get returns the kept answer of fk, marking it recently used; e.mu is held.
func (e *Engine) get(fk flightKey) *Answer {
	for i, a := range e.cache {
		if a.DataVersion == fk.version && a.key == fk.key {
			e.cache = append(append(e.cache[:i:i], e.cache[i+1:]...), a)
			return a
		}
	}
	return nil
}

// put keeps a: answers of older versions go, and the least recently used
// beyond the bound; e.mu is held.
func (e *Engine) put(a *Answer) {
	if a.size > e.cfg.CacheBytes/2 {
		return
	}
	e.cache = slices.DeleteFunc(e.cache, func(o *Answer) bool {
		return o.DataVersion < a.DataVersion || (o.DataVersion == a.DataVersion && o.key == a.key)
	})
	if len(e.cache) > 0 && e.cache[0].DataVersion > a.DataVersion {
		return // computed before a newer version arrived
	}
	e.cache = append(e.cache, a)
	e.size = 0
	for _, o := range e.cache {
		e.size += o.size
	}
	for e.size > e.cfg.CacheBytes {
		e.size -= e.cache[0].size
		e.cache = e.cache[1:]
	}
}

// Cached reports how many answers the engine keeps and their approximate
// size in bytes.
func (e *Engine) Cached() (answers, bytes int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.cache), e.size
}

// InFlight reports how many computations are running or waiting for a turn.
func (e *Engine) InFlight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.waiting
}

// Sectors returns the sector keys the engine parses and expands with.
func (e *Engine) Sectors() *layer.Sectors { return e.keys }
