package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
)

// cutProfileFlag removes the hidden flag --cpuprofile FILE (or
// --cpuprofile=FILE, with one or two dashes) from a command's arguments and
// returns its value. The flag is for measuring imports and analyses and is
// left out of the usage text.
func cutProfileFlag(args []string) (file string, rest []string, err error) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "cpuprofile" {
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("flag needs an argument: %s", a)
			}
			i++
			val = args[i]
		}
		file = val
	}
	return file, rest, nil
}

// startProfile starts a CPU profile written to file and returns the function
// that stops it; with no file it does nothing.
func startProfile(file string) (stop func() error, err error) {
	if file == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// importMemoryLimit is the Go runtime's soft memory limit while an import
// reads its input, unless GOMEMLIMIT sets one: the garbage collector then
// runs more often instead of letting the heap grow to twice the live data,
// which keeps the peak RSS of a large import low. What an import holds grows
// only with its duplicate-id index (a few tens of bytes per row).
const importMemoryLimit = 192 << 20

// analyzeGCPercent is the garbage collector's target of kume analyze: the
// heap may grow 40% beyond the live data (Go's default is 100%) before a
// collection. A run holds its inputs (a few hundred bytes a firm in the
// embedded store) and two batches of rows on their way to the store. A
// percentage scales with the register, where a fixed memory limit would make
// the collector run without pause once the live data of a larger register
// reach it.
const analyzeGCPercent = 40

// tuneGC sets the collector's target percentage, unless GOGC or GOMEMLIMIT
// tune the collector already, and returns the function that restores it.
func tuneGC(getenv func(string) string, percent int) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(prev) }
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
