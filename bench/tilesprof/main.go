// Command tilesprof builds hexagon tiles in process, with the tile cache off,
// from a PostGIS store, and writes a CPU profile: it isolates the cold path of
// the vector-tile benchmark (bench/tiles.sh) from HTTP. Tiles are the distinct
// z8–10 tiles over Türkiye's extent in a fixed shuffled order, as in
// bench/tiles.lua. A warm-up phase (--warmup) builds tiles unmeasured first, so
// that the outline cache is as warm as a server's after the benchmark's
// warm-up. It reports the process's CPU time per tile of the measured phase.
//
//	go run ./bench/tilesprof --db URL --sector '' --warmup 20s --for 20s --cpuprofile cpu.out
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kume-geo/kume/store/postgis"
	"github.com/kume-geo/kume/tiles"
)

func main() {
	db := flag.String("db", "", "PostgreSQL URL of kume's database")
	sector := flag.String("sector", "", "sector key of the hexagons")
	zooms := flag.String("zooms", "8,9,10", "zoom levels, comma-separated")
	workers := flag.Int("c", 4, "concurrent builders")
	dur := flag.Duration("for", 10*time.Second, "how long to build tiles")
	warmup := flag.Duration("warmup", 0, "how long to build tiles before measuring")
	cpu := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	ctx := context.Background()
	st, err := postgis.Open(ctx, *db, postgis.WithMaxConns(int32(*workers)+2))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	svc, err := tiles.New(st, tiles.Config{CacheBytes: -1})
	if err != nil {
		log.Fatal(err)
	}
	var ids []tiles.TileID
	for _, s := range strings.Split(*zooms, ",") {
		z, err := strconv.Atoi(s)
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, tileList(25.6, 35.8, 44.8, 42.2, uint32(z))...)
	}
	shuffle(ids)
	params, err := svc.ParseParams([]string{tiles.LayerHexagons}, map[string][]string{"sector": {*sector}})
	if err != nil {
		log.Fatal(err)
	}
	var next atomic.Int64
	build := func(d time.Duration) (lat []time.Duration, bytes int64) {
		lats := make([][]time.Duration, *workers)
		var total atomic.Int64
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		for w := range *workers {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					id := ids[int(next.Add(1)-1)%len(ids)]
					t0 := time.Now()
					t, err := svc.Tile(ctx, tiles.Request{Layers: []string{tiles.LayerHexagons}, Tile: id, Params: params})
					if err != nil {
						log.Fatal(err)
					}
					lats[w] = append(lats[w], time.Since(t0))
					total.Add(int64(len(t.Data)))
				}
			})
		}
		wg.Wait()
		return slices.Concat(lats...), total.Load()
	}
	if *warmup > 0 {
		build(*warmup)
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime()
	all, bytes := build(*dur)
	used := cpuTime() - cpu0
	slices.Sort(all)
	n := len(all)
	fmt.Printf("tiles %d in %s: %.0f tiles/s, %.0f bytes/tile, p50 %s p99 %s max %s, CPU %.2f ms/tile\n", n, *dur,
		float64(n)/dur.Seconds(), float64(bytes)/float64(n), all[n/2], all[n*99/100], all[n-1],
		float64(used.Microseconds())/1000/float64(n))
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tileList returns the tiles at zoom z covering the box.
func tileList(lon0, lat0, lon1, lat1 float64, z uint32) []tiles.TileID {
	n := math.Exp2(float64(z))
	tx := func(lon float64) uint32 { return uint32((lon + 180) / 360 * n) }
	ty := func(lat float64) uint32 {
		r := lat * math.Pi / 180
		return uint32((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	}
	var out []tiles.TileID
	for x := tx(lon0); x <= tx(lon1); x++ {
		for y := ty(lat1); y <= ty(lat0); y++ {
			out = append(out, tiles.TileID{Z: z, X: x, Y: y})
		}
	}
	return out
}

// shuffle is the Fisher–Yates shuffle of bench/tiles.lua with seed 1.
func shuffle(ids []tiles.TileID) {
	state := uint64(1)
	for i := len(ids) - 1; i > 0; i-- {
		state = (state*1103515245 + 12345) % 2147483648
		j := int(state % uint64(i+1))
		ids[i], ids[j] = ids[j], ids[i]
	}
}
