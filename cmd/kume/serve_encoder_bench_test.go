package main

import (
	"context"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/tiles"
)

// BenchmarkTileEncoders encodes, in one run, the same regions and clusters
// tiles with the tile service's Go encoder and with the PostGIS store's
// ST_AsMVT (both without the tile cache, both reading the same database), over
// the demo data: the regions layer on the tiles of Turkey's provinces at zooms
// 5, 7 and 9 (around İstanbul) and the clusters layer on the tiles of each
// cluster's centre at zooms 8 and 11, with the cluster's sector. The two encoders take turns
// tile by tile, so that both see the same load. It reports milliseconds per
// tile of each and their ratio.
func BenchmarkTileEncoders(b *testing.B) {
	st, _ := loadEncoderFixture(b)
	ctx := context.Background()
	goSvc, err := tiles.New(st, tiles.Config{CacheBytes: -1, Now: fixtureNow})
	if err != nil {
		b.Fatal(err)
	}
	enc, err := tileEncoder(tileEncoderPostGIS, st)
	if err != nil {
		b.Fatal(err)
	}
	pgSvc, err := tiles.New(st, tiles.Config{CacheBytes: -1, Now: fixtureNow, Encoder: enc})
	if err != nil {
		b.Fatal(err)
	}
	var regions []tiles.Request
	for _, z := range []uint32{5, 7} {
		lo, hi := tileOf(26, 42.1, z), tileOf(44.8, 35.8, z)
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				regions = append(regions, tiles.Request{Layers: []string{tiles.LayerRegions}, Tile: tiles.TileID{Z: z, X: x, Y: y}})
			}
		}
	}
	c := tileOf(29.0, 41.0, 9)
	for dx := range uint32(3) {
		for dy := range uint32(3) {
			regions = append(regions, tiles.Request{Layers: []string{tiles.LayerRegions}, Tile: tiles.TileID{Z: 9, X: c.X + dx - 1, Y: c.Y + dy - 1}})
		}
	}
	cs, err := st.Clusters(ctx, kume.ClusterFilter{})
	if err != nil {
		b.Fatal(err)
	}
	type key struct {
		sector string
		tile   tiles.TileID
	}
	seen := map[key]bool{}
	var clusters []tiles.Request
	for _, c := range cs {
		for _, z := range []uint32{8, 11} {
			k := key{c.Sector, tileOf(c.Geometry.Bound().Center()[0], c.Geometry.Bound().Center()[1], z)}
			if !seen[k] {
				seen[k] = true
				clusters = append(clusters, tiles.Request{Layers: []string{tiles.LayerClusters}, Tile: k.tile, Params: tiles.Params{Sector: c.Sector}})
			}
		}
	}
	b.Logf("%d regions tiles, %d clusters tiles (%d clusters)", len(regions), len(clusters), len(cs))
	var times [2][2]time.Duration // [layer][go, postgis]
	b.ResetTimer()
	for b.Loop() {
		for li, reqs := range [][]tiles.Request{regions, clusters} {
			for _, req := range reqs {
				for ei, svc := range []*tiles.Service{goSvc, pgSvc} {
					start := time.Now()
					if _, err := svc.Tile(ctx, req); err != nil {
						b.Fatal(err)
					}
					times[li][ei] += time.Since(start)
				}
			}
		}
	}
	runs := float64(b.N)
	for li, name := range []string{"regions", "clusters"} {
		n := runs * float64(len([][]tiles.Request{regions, clusters}[li]))
		goMs := times[li][0].Seconds() * 1000 / n
		pgMs := times[li][1].Seconds() * 1000 / n
		b.ReportMetric(goMs, name+"-go-ms/tile")
		b.ReportMetric(pgMs, name+"-postgis-ms/tile")
		b.ReportMetric(pgMs/goMs, name+"-postgis/go")
	}
}
