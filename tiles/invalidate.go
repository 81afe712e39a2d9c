package tiles

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// Invalidation reports what an invalidation did to the tile cache.
type Invalidation struct {
	// Kept counts cached tiles carried over to the new version unchanged.
	Kept int
	// Evicted counts cached tiles dropped because the new data changes them
	// (or because their change could not be computed).
	Evicted int
}

// Invalidate carries the tile cache from analysis version oldVersion to
// newVersion: for each sector, resolution and zoom in the cache it computes the
// cells, clusters and regions whose published values differ between the two
// versions, maps them to the tiles they reach at that zoom, evicts those tiles,
// and re-keys every other tile built from oldVersion to newVersion, so that it
// keeps being served (with the same ETag) without being built again. Tiles of
// the establishments and institutions layers do not depend on the analysis and
// are left alone. When a difference cannot be computed (for instance because
// the store pruned oldVersion) the tiles concerned are evicted.
//
// Tile and Sync call it when they see a new analysis; it is exported for
// callers that save an analysis and want the cache current at once.
func (s *Service) Invalidate(ctx context.Context, oldVersion, newVersion int64) (Invalidation, error) {
	cur, err := s.versions(ctx)
	if err != nil {
		return Invalidation{}, err
	}
	dv, err := s.store.DataVersion(ctx)
	if err != nil {
		return Invalidation{}, fmt.Errorf("tiles: data version: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, nv := *cur, *cur
	old.analysis, nv.analysis = oldVersion, newVersion
	nv.data, nv.checked = dv, time.Now()
	inv, err := s.sweep(ctx, &old, &nv)
	if err == nil && newVersion >= cur.analysis {
		// Serve the new version from now on, not after the next version check.
		s.state.Store(&nv)
	}
	return inv, err
}

// sweep evicts or re-keys every cached tile built from the versions old so that
// the cache holds only tiles valid at nv. It must be called with s.mu held.
func (s *Service) sweep(ctx context.Context, old, nv *versions) (Invalidation, error) {
	var inv Invalidation
	if s.cache == nil {
		return inv, nil
	}
	keys := slices.Collect(s.cache.Keys())
	ch := &changes{s: s, old: old, nv: nv, hex: map[hexKey]map[TileID]struct{}{},
		clusters: map[string][]orb.Bound{}, regions: map[[2]string][]orb.Bound{}}
	for _, k := range keys {
		keep := true
		switch {
		case k.data != 0 && k.data != nv.data:
			keep = false
		case k.analysis == 0 || k.analysis == nv.analysis:
			continue
		case k.analysis != old.analysis || ch.affects(ctx, k):
			keep = false
		}
		e, ok := s.cache.Invalidate(k)
		if !ok {
			continue
		}
		if !keep {
			inv.Evicted++
			continue
		}
		nk := k
		nk.analysis = nv.analysis
		s.cache.SetIfAbsent(nk, e)
		inv.Kept++
	}
	if ch.err != nil {
		return inv, fmt.Errorf("tiles: invalidate %d→%d: %w", old.analysis, nv.analysis, ch.err)
	}
	return inv, nil
}

// hexKey identifies the hexagon cells of one sector at one resolution and the
// zoom they are drawn at.
type hexKey struct {
	sector string
	res    int
	zoom   uint32
}

// changes computes, lazily and once per sector, resolution and zoom, what
// differs between two analysis versions.
type changes struct {
	s        *Service
	old, nv  *versions
	hex      map[hexKey]map[TileID]struct{}
	clusters map[string][]orb.Bound
	regions  map[[2]string][]orb.Bound
	err      error // the first error; its tiles count as changed
}

// affects reports whether the tile of k differs between the two versions.
func (c *changes) affects(ctx context.Context, k cacheKey) bool {
	for _, layer := range strings.Split(k.layers, ",") {
		if c.layerAffects(ctx, layer, k) {
			return true
		}
	}
	return false
}

func (c *changes) layerAffects(ctx context.Context, layer string, k cacheKey) bool {
	tb := bufferedBound(k.tile, c.s.cfg.Extent, c.s.cfg.Buffer)
	var bounds []orb.Bound
	var err error
	switch layer {
	case LayerHexagons:
		r0, err0 := c.s.resolution(c.old, k.tile.Z, k.params)
		r1, err1 := c.s.resolution(c.nv, k.tile.Z, k.params)
		if err0 != nil || err1 != nil || r0 != r1 {
			return true
		}
		tiles, err := c.hexTiles(ctx, hexKey{k.params.Sector, r1, k.tile.Z})
		if err != nil {
			return true
		}
		_, hit := tiles[k.tile]
		return hit
	case LayerClusters:
		bounds, err = c.clusterBounds(ctx, k.params.Sector)
	case LayerRegions:
		bounds, err = c.regionBounds(ctx, k.params.Sector, k.params.Level)
	default:
		return false
	}
	if err != nil {
		return true
	}
	for _, b := range bounds {
		if b.Intersects(tb) {
			return true
		}
	}
	return false
}

func (c *changes) fail(err error) error {
	if c.err == nil {
		c.err = err
	}
	return err
}

// hexTiles returns the tiles at hk.zoom reached by the cells of hk.sector at
// hk.res whose published values changed.
func (c *changes) hexTiles(ctx context.Context, hk hexKey) (map[TileID]struct{}, error) {
	if t, ok := c.hex[hk]; ok {
		return t, nil
	}
	read := func(v int64) ([]kume.CellStat, error) {
		return c.s.store.CellStats(ctx, kume.CellFilter{Version: v, Res: hk.res, Sector: hk.sector})
	}
	a, err := read(c.old.analysis)
	if err != nil {
		return nil, c.fail(err)
	}
	b, err := read(c.nv.analysis)
	if err != nil {
		return nil, c.fail(err)
	}
	t := c.s.ChangedTiles(ChangedCells(a, b), int(hk.zoom))
	c.hex[hk] = t
	return t, nil
}

// ChangedCells returns the cells whose published hexagon properties differ
// between two sets of cell statistics (of one sector and resolution),
// including cells present in only one of them, in ascending order.
func ChangedCells(old, cur []kume.CellStat) []uint64 {
	d := newDefs()
	props := func(stats []kume.CellStat) map[uint64]string {
		m := make(map[uint64]string, len(stats))
		for i := range stats {
			m[stats[i].Cell] = fmt.Sprint(d.hexProps(nil, &stats[i]))
		}
		return m
	}
	a, b := props(old), props(cur)
	var out []uint64
	for cell, pa := range a {
		if pb, ok := b[cell]; !ok || pa != pb {
			out = append(out, cell)
		}
	}
	for cell := range b {
		if _, ok := a[cell]; !ok {
			out = append(out, cell)
		}
	}
	slices.Sort(out)
	return out
}

// ChangedTiles returns the tiles at zoom whose buffered area the given cells
// reach, i.e. the tiles whose hexagons layer shows any of them.
func (s *Service) ChangedTiles(cells []uint64, zoom int) map[TileID]struct{} {
	out := map[TileID]struct{}{}
	z := uint32(max(0, min(zoom, MaxZoom)))
	n := float64(uint64(1) << z)
	pad := float64(s.cfg.Buffer) / float64(s.cfg.Extent)
	for _, cell := range cells {
		w := s.cellWorld(cell)
		if len(w) == 0 {
			continue
		}
		b := orb.MultiPoint(w).Bound()
		x0, y0 := tileIndex((b.Min[0])*n-pad, n), tileIndex(b.Min[1]*n-pad, n)
		x1, y1 := tileIndex(b.Max[0]*n+pad, n), tileIndex(b.Max[1]*n+pad, n)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				out[TileID{Z: z, X: x, Y: y}] = struct{}{}
			}
		}
	}
	return out
}

// tileIndex clamps a fractional tile index (an outline unwrapped east of the
// antimeridian may pass n) to 0..n-1.
func tileIndex(v, n float64) uint32 {
	return uint32(max(0, min(n-1, v)))
}

// clusterBounds returns the bounds, old and new, of the sector's clusters whose
// footprint or published values changed.
func (c *changes) clusterBounds(ctx context.Context, sector string) ([]orb.Bound, error) {
	if b, ok := c.clusters[sector]; ok {
		return b, nil
	}
	read := func(v int64) (map[string]kume.Cluster, error) {
		keys, err := c.s.cfg.Sectors.ClusterKeys(ctx, sector)
		if err != nil {
			return nil, err
		}
		cs, err := c.s.store.Clusters(ctx, kume.ClusterFilter{Version: v, Sectors: keys})
		m := make(map[string]kume.Cluster, len(cs))
		for _, cl := range cs {
			m[cl.ID] = cl
		}
		return m, err
	}
	a, err := read(c.old.analysis)
	if err != nil {
		return nil, c.fail(err)
	}
	b, err := read(c.nv.analysis)
	if err != nil {
		return nil, c.fail(err)
	}
	var out []orb.Bound
	for id, ca := range a {
		cb, ok := b[id]
		if ok && fmt.Sprint(c.s.defs.clusterProps(&ca), ca.Cells) == fmt.Sprint(c.s.defs.clusterProps(&cb), cb.Cells) &&
			c.clusterBound(&ca) == c.clusterBound(&cb) {
			continue
		}
		out = append(out, c.clusterBound(&ca))
		if ok {
			out = append(out, c.clusterBound(&cb))
		}
	}
	for id, cb := range b {
		if _, ok := a[id]; !ok {
			out = append(out, c.clusterBound(&cb))
		}
	}
	c.clusters[sector] = out
	return out, nil
}

// clusterBound returns the WGS84 bound of a cluster's footprint.
func (c *changes) clusterBound(cl *kume.Cluster) orb.Bound {
	if len(cl.Geometry) > 0 {
		return cl.Geometry.Bound()
	}
	var mp orb.MultiPoint
	for _, cell := range cl.Cells {
		for _, w := range c.s.cellWorld(cell) {
			mp = append(mp, lonLat(w[0], w[1]))
		}
	}
	return mp.Bound()
}

// regionBounds returns the bounds of the regions whose statistics for the
// sector (at the level, "" for all) changed.
func (c *changes) regionBounds(ctx context.Context, sector, level string) ([]orb.Bound, error) {
	key := [2]string{sector, level}
	if b, ok := c.regions[key]; ok {
		return b, nil
	}
	read := func(v int64) (map[[2]string]string, error) {
		st, err := c.s.store.RegionStats(ctx, kume.RegionStatFilter{Version: v, Level: level, Sector: sector})
		m := make(map[[2]string]string, len(st))
		for i := range st {
			m[[2]string{st[i].Level, st[i].Code}] = fmt.Sprint(c.s.defs.regionProps(&kume.Region{}, &st[i]))
		}
		return m, err
	}
	a, err := read(c.old.analysis)
	if err != nil {
		return nil, c.fail(err)
	}
	b, err := read(c.nv.analysis)
	if err != nil {
		return nil, c.fail(err)
	}
	codes := map[string][]string{}
	for k, pa := range a {
		if pb, ok := b[k]; !ok || pa != pb {
			codes[k[0]] = append(codes[k[0]], k[1])
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			codes[k[0]] = append(codes[k[0]], k[1])
		}
	}
	var out []orb.Bound
	for lvl, cs := range codes {
		rs, err := c.s.store.Regions(ctx, kume.RegionFilter{Level: lvl, Codes: cs})
		if err != nil {
			return nil, c.fail(err)
		}
		for _, r := range rs {
			out = append(out, r.Geometry.Bound())
		}
	}
	c.regions[key] = out
	return out, nil
}
