package main

import (
	"fmt"
	"os"
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
