package tiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// Service builds, caches and invalidates vector tiles from a kume.Store. It is
// safe for concurrent use.
type Service struct {
	store    kume.Store
	cfg      Config
	cache    *otter.Cache[cacheKey, *entry] // nil when the cache is off
	outlines *outlineCache
	defs     *defs

	gzip     sync.Pool  // *gzip.Writer at BestSpeed, for Tile.Gzip
	encoders sync.Pool  // *layerEncoder, reset between tiles
	mu       sync.Mutex // serialises version checks and invalidation
	state    atomic.Pointer[versions]
}

// versions is what the service last learned about the store's data.
type versions struct {
	data        int64 // kume.Store DataVersion
	analysis    int64 // LatestAnalysis version, 0 before the first run
	resolutions []int // analysed H3 resolutions, ascending
	checked     time.Time
}

// Request asks for one tile.
type Request struct {
	// Layers lists the layers of the tile (see ParseLayers).
	Layers []string
	Tile   TileID
	Params Params
	// Analysis, when set, is the analysis the hexagons, clusters and
	// regions' statistics are drawn from (its version and resolutions):
	// the one the caller may read. Version 0 draws none. Nil draws the
	// store's current public analysis.
	Analysis *kume.AnalysisRun
	// Access is what the caller may read: the establishments and
	// institutions layers show the datasets it may read (the zero Access,
	// anonymous, the public ones).
	Access kume.Access
}

// Tile is an encoded vector tile. An empty tile has no Data.
type Tile struct {
	// Data is the uncompressed MVT.
	Data []byte
	// ETag is a strong entity tag (quoted) of Data; the gzip representation's
	// tag is GzipETag.
	ETag string
	gz   *lazyGzip
}

// Gzip returns Data gzip-compressed, ready for Content-Encoding: gzip. It is
// compressed on the first call and kept with the cached tile.
func (t Tile) Gzip() []byte {
	if len(t.Data) == 0 || t.gz == nil {
		return nil
	}
	return t.gz.compress(t.Data)
}

// GzipETag returns the entity tag of the gzip representation: a strong tag must
// differ between encodings of the same content.
func (t Tile) GzipETag() string {
	if t.ETag == "" {
		return ""
	}
	return strings.TrimSuffix(t.ETag, `"`) + `-gz"`
}

// New returns a Service reading from store.
func New(store kume.Store, cfg Config) (*Service, error) {
	if store == nil {
		return nil, errors.New("tiles: nil store")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.Sectors == nil {
		if cfg.Sectors, err = layer.NewSectors(nil, store); err != nil {
			return nil, fmt.Errorf("tiles: %w", err)
		}
	}
	s := &Service{store: store, cfg: cfg, defs: newDefs()}
	if cfg.CacheBytes > 0 {
		s.cache, err = otter.New(&otter.Options[cacheKey, *entry]{
			MaximumWeight: uint64(cfg.CacheBytes),
			Weigher:       func(k cacheKey, e *entry) uint32 { return e.weight(k) },
		})
		if err != nil {
			return nil, fmt.Errorf("tiles: tile cache: %w", err)
		}
	}
	s.outlines = newOutlineCache(cfg.BoundaryCells)
	return s, nil
}

// CacheControl returns the configured Cache-Control header of tile responses.
func (s *Service) CacheControl() string { return s.cfg.CacheControl }

// Zooms returns the zoom range of a layer list: the union of its layers' ranges.
func (s *Service) Zooms(layers []string) ZoomRange {
	r := ZoomRange{Min: MaxZoom, Max: 0}
	for _, l := range layers {
		lr := s.cfg.Zooms[l]
		r.Min, r.Max = min(r.Min, lr.Min), max(r.Max, lr.Max)
	}
	return r
}

// Tile returns the tile req asks for, from the cache when it holds the tile for
// the current data. Concurrent requests for a missing tile build it once. A
// zoom outside every requested layer's range is ENOTFOUND; a ?res= outside the
// allowed window is EINVALID.
func (s *Service) Tile(ctx context.Context, req Request) (Tile, error) {
	if err := s.checkRequest(req); err != nil {
		return Tile{}, err
	}
	v, err := s.versions(ctx)
	if err != nil {
		return Tile{}, err
	}
	return s.tileOf(ctx, req, s.scoped(req, v))
}

// scoped returns the data versions of req's analysis: v itself for the
// public analysis, else v with another analysis version, whose version keys
// the cache, so that its tiles never serve a caller of another.
func (s *Service) scoped(req Request, v *versions) *versions {
	a := req.Analysis
	if a == nil || a.Version == v.analysis {
		return v
	}
	own := *v
	own.analysis, own.resolutions = a.Version, s.analysedResolutions(a.Params)
	return &own
}

// checkRequest checks the layers and zoom of req.
func (s *Service) checkRequest(req Request) error {
	if len(req.Layers) == 0 {
		return kume.Errorf(kume.EINVALID, "no layer requested")
	}
	zr := s.Zooms(req.Layers)
	if z := int(req.Tile.Z); z < zr.Min || z > zr.Max {
		return kume.Errorf(kume.ENOTFOUND, "zoom %d outside the range %d..%d of %s", z, zr.Min, zr.Max, strings.Join(req.Layers, ","))
	}
	return nil
}

// tileOf returns the tile of a checked req made from the data versions v.
func (s *Service) tileOf(ctx context.Context, req Request, v *versions) (Tile, error) {
	var err error
	if slices.Contains(req.Layers, LayerHexagons) {
		if _, err := s.resolution(v, req.Tile.Z, req.Params); err != nil {
			return Tile{}, err
		}
	}
	key := s.key(req, v)
	load := func(ctx context.Context, key cacheKey) (*entry, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.BuildTimeout)
		defer cancel()
		return s.build(ctx, req, v, key)
	}
	var e *entry
	if s.cache == nil {
		e, err = load(ctx, key)
	} else {
		e, err = s.cache.Get(ctx, key, otter.LoaderFunc[cacheKey, *entry](load))
	}
	if err != nil {
		return Tile{}, err
	}
	return e.tile, nil
}

// key returns the cache key of req at the data versions v. A layer list reads
// analysis results, establishments or both; only the versions it reads are part
// of the key, and for establishments which datasets the caller may read.
func (s *Service) key(req Request, v *versions) cacheKey {
	k := cacheKey{layers: strings.Join(req.Layers, ","), params: req.Params, tile: req.Tile}
	for _, l := range req.Layers {
		switch {
		case pointLayer(l):
			k.data, k.access = v.data, req.Access.Key()
		case l == LayerEmerging:
			k.data = v.data // drawn from the firms, as an anonymous caller sees them
		default:
			k.analysis = v.analysis
		}
	}
	return k
}

// pointLayer reports whether a layer reads establishments rather than analysis
// results (the emerging layer reads them too, through its analysis on demand).
func pointLayer(l string) bool { return l == LayerEstablishments || l == LayerInstitutions }

// Sync asks the store for its data versions now and, when a new analysis
// replaced the one the cache was built from, invalidates the cached tiles it
// changed (see Invalidate).
func (s *Service) Sync(ctx context.Context) error {
	_, err := s.refresh(ctx, true)
	return err
}

// versions returns the current data versions, asking the store when the last
// answer is older than Config.VersionCheck.
func (s *Service) versions(ctx context.Context) (*versions, error) {
	return s.refresh(ctx, false)
}

func (s *Service) refresh(ctx context.Context, force bool) (*versions, error) {
	fresh := func(v *versions) bool {
		return v != nil && !force && s.cfg.VersionCheck > 0 && time.Since(v.checked) < s.cfg.VersionCheck
	}
	if v := s.state.Load(); fresh(v) {
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	if fresh(old) {
		return old, nil
	}
	// While the store is unreachable the versions last read stand, so that
	// tiles the cache holds for them are still served; a tile that has to be
	// built fails as its read does. The next request asks the store again.
	unreachable := func(err error) bool { return old != nil && kume.ErrorCode(err) == kume.EUNAVAILABLE }
	dv, err := s.store.DataVersion(ctx)
	if err != nil {
		if unreachable(err) {
			return old, nil
		}
		return nil, fmt.Errorf("tiles: data version: %w", err)
	}
	nv := &versions{data: dv, checked: time.Now()}
	run, err := s.store.LatestAnalysis(ctx)
	switch {
	case err == nil:
		nv.analysis = run.Version
		nv.resolutions = s.analysedResolutions(run.Params)
	case kume.ErrorCode(err) == kume.ENOTFOUND:
		nv.resolutions = s.analysedResolutions(nil)
	case unreachable(err):
		return old, nil
	default:
		return nil, fmt.Errorf("tiles: latest analysis: %w", err)
	}
	if old != nil && (old.analysis != nv.analysis || old.data != nv.data) {
		s.sweep(ctx, old, nv)
	}
	s.state.Store(nv)
	return nv, nil
}

// analysedResolutions returns Config.Resolutions, else the "resolutions" of the
// run's parameters, else 4..9.
func (s *Service) analysedResolutions(params json.RawMessage) []int {
	res := s.cfg.Resolutions
	if len(res) == 0 && len(params) > 0 {
		var p struct {
			Resolutions []int `json:"resolutions"`
		}
		if json.Unmarshal(params, &p) == nil {
			for _, r := range p.Resolutions {
				if r >= 0 && r <= 15 {
					res = append(res, r)
				}
			}
		}
	}
	if len(res) == 0 {
		res = []int{4, 5, 6, 7, 8, 9}
	}
	res = slices.Clone(res)
	slices.Sort(res)
	return slices.Compact(res)
}

// resolution returns the H3 resolution of the hexagons layer for zoom z: the
// ?res= override when it lies in the allowed window, else the table's entry
// clamped to the analysed resolutions.
func (s *Service) resolution(v *versions, z uint32, p Params) (int, error) {
	t := s.cfg.ResByZoom
	want := t[min(int(z), len(t)-1)]
	if p.HasRes {
		if p.Res < want-s.cfg.ResBelow || p.Res > want+s.cfg.ResAbove || !slices.Contains(v.resolutions, p.Res) {
			return 0, kume.Errorf(kume.EINVALID, "res %d not allowed at zoom %d: use %s", p.Res, z, s.resWindow(v, want))
		}
		return p.Res, nil
	}
	rs := v.resolutions
	return max(rs[0], min(rs[len(rs)-1], want)), nil
}

// resWindow describes the resolutions ?res= may take around want.
func (s *Service) resWindow(v *versions, want int) string {
	var ok []string
	for _, r := range v.resolutions {
		if r >= want-s.cfg.ResBelow && r <= want+s.cfg.ResAbove {
			ok = append(ok, fmt.Sprint(r))
		}
	}
	if len(ok) == 0 {
		return "no res parameter"
	}
	return "one of " + strings.Join(ok, ", ")
}
