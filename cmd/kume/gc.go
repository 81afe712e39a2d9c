package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
)

// importMemoryLimit is the Go runtime's soft memory limit while an import
// reads its input, unless GOMEMLIMIT sets one: the garbage collector then
// runs more often instead of letting the heap grow to twice the live data,
// which keeps the peak RSS of a large import low. What an import holds grows
// only with its duplicate-id index (a few tens of bytes per row).
const importMemoryLimit = 192 << 20

// analyzeGCPercent is the garbage collector's target of kume analyze once
// the live data are large: the heap may grow 40% beyond them (Go's default
// is 100%) before a collection. A run holds its inputs (a few hundred bytes
// a firm in the embedded store) and two batches of rows on their way to the
// store. A percentage scales with the register, where a fixed memory limit
// would make the collector run without pause once the live data of a larger
// register reach it.
const analyzeGCPercent = 40

// analyzeHeapAllowance is the heap size up to which kume analyze lets the
// heap grow before a collection whatever the live data: every collection
// scans the whole store (the embedded store holds every establishment), so
// a run of a million firms collected at 40% above its live data would
// collect a dozen times; with the allowance it collects three or four times
// and peaks at about the same size. Registers whose live data pass
// allowance/1.4 get analyzeGCPercent alone.
const analyzeHeapAllowance = 1200 << 20

// remoteHeapAllowance is the allowance of kume analyze on a store that keeps
// its data elsewhere (PostGIS): a collection then marks little more than the
// batches on their way to the store, so collecting often costs little, and a
// large allowance would only raise the peak.
const remoteHeapAllowance = 512 << 20

// heapAllowance returns the heap allowance of an analysis of st.
func heapAllowance(st kume.Store) uint64 {
	if _, ok := st.(*memory.Store); ok {
		return analyzeHeapAllowance
	}
	return remoteHeapAllowance
}

// maxGCPercent bounds the percentages tuneGC sets (the runtime keeps them in
// 32 bits).
const maxGCPercent = 1 << 20

// tuneGC makes the collector run when the heap reaches the larger of
// allowance bytes and percent% above the live data of the last collection,
// unless GOGC or GOMEMLIMIT tune the collector already, and returns the
// function that restores the previous target. The target is set again after
// every collection.
func tuneGC(getenv func(string) string, percent int, allowance uint64) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	t := &gcTuner{percent: percent, allowance: allowance}
	t.mu.Lock()
	t.prev = debug.SetGCPercent(gcPercentFor(gcRoots(), allowance, percent))
	t.arm()
	t.mu.Unlock()
	return t.stop
}

// gcTuner sets the collector's target after every collection (see tuneGC).
type gcTuner struct {
	percent   int
	allowance uint64
	mu        sync.Mutex
	prev      int  // the target before tuneGC
	stopped   bool // restored: set nothing more
}

// gcSentinel is an object that only a finalizer refers to: the next
// collection finds it unreachable and runs the finalizer.
type gcSentinel struct{ t *gcTuner }

// arm sets up the call of cycle after the next collection.
func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t: t}, func(s *gcSentinel) { s.t.cycle() })
}

// cycle sets the target for the live data the last collection found and
// arms for the next one.
func (t *gcTuner) cycle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	debug.SetGCPercent(gcPercentFor(gcRoots(), t.allowance, t.percent))
	t.arm()
}

// stop restores the target tuneGC found; the tuner sets nothing after it.
func (t *gcTuner) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped {
		t.stopped = true
		debug.SetGCPercent(t.prev)
	}
}

// gcSizes is what the collector's heap goal grows from: the heap it last
// marked live and the stacks and globals it scans.
type gcSizes struct{ live, stacks, globals uint64 }

// gcPercentFor returns the collector's target percentage for the sizes of
// the last collection: percent, or more while the heap goal (the live heap
// plus percent% of live heap, stacks and globals, as the runtime reckons
// it) stays below allowance, so that the heap may grow to allowance. With
// no live heap known (no collection yet) it is percent.
func gcPercentFor(z gcSizes, allowance uint64, percent int) int {
	if z.live == 0 || z.live >= allowance {
		return percent
	}
	p := (allowance - z.live) * 100 / (z.live + z.stacks + z.globals)
	return int(min(max(p, uint64(percent)), maxGCPercent))
}

// gcRoots returns the sizes of the last collection (zero before the first).
func gcRoots() gcSizes {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	v := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	return gcSizes{live: v(0), stacks: v(1), globals: v(2)}
}

// limitMemory sets a soft memory limit of limit bytes, unless GOMEMLIMIT sets
// one, and returns the function that restores the previous one.
func limitMemory(getenv func(string) string, limit int64) (restore func()) {
	if getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}
