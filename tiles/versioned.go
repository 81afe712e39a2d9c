package tiles

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kume-geo/kume"
)

// Versioned tiles. A tile's content depends on one data version of its
// layers: the current analysis for the hexagons, clusters and regions layers,
// the store's data version for a list with establishments or institutions
// (those layers show the establishments as they are; a store does not keep
// their earlier versions). A tile asked at that version is the same bytes for
// as long as the version is current, and is never served once it is not, so
// a URL that carries the version can be cached for good by browsers, proxies
// and CDNs, and caches never mix versions.

// Version returns the data version the tiles of a layer list are made from
// now: the store's data version when the list holds a point layer, otherwise
// the version of the current analysis (0 before the first).
func (s *Service) Version(ctx context.Context, layers []string) (int64, error) {
	return s.VersionOf(ctx, Request{Layers: layers})
}

// VersionOf is Version for the layers of req as its caller sees them: the
// version of req.Analysis when it is not the public analysis.
func (s *Service) VersionOf(ctx context.Context, req Request) (int64, error) {
	v, err := s.versions(ctx)
	if err != nil {
		return 0, err
	}
	return s.scoped(req, v).of(req.Layers), nil
}

// of returns the version of v a layer list's tiles are made from.
func (v *versions) of(layers []string) int64 {
	if readsFirms(layers) {
		return v.data
	}
	return v.analysis
}

// readsFirms reports whether a layer list draws establishments or
// institutions, or the emerging layer computed from the firms: its tiles are
// then of a data version (which moves with every import and analysis), not
// of an analysis version.
func readsFirms(layers []string) bool {
	for _, l := range layers {
		if pointLayer(l) || l == LayerEmerging {
			return true
		}
	}
	return false
}

// newerCheck is how long after its last check the service trusts that a
// version above the one it knows does not exist yet: a tile asked at a newer
// version makes it ask the store again (another server may have told the
// client), but at most this often.
const newerCheck = 100 * time.Millisecond

// TileAt returns the tile req asks for made from the given version of its
// layers (see Version), which must be the current one: the service builds
// tiles of the current data only. Another version is a *VersionError
// (ENOTFOUND) that names the current one. A tile of a point layer built while
// the data changed is refused the same way, since it may show the newer data.
func (s *Service) TileAt(ctx context.Context, req Request, version int64) (Tile, error) {
	if err := s.checkRequest(req); err != nil {
		return Tile{}, err
	}
	v, err := s.versions(ctx)
	if err != nil {
		return Tile{}, err
	}
	if v.of(req.Layers) < version && time.Since(v.checked) >= newerCheck {
		if v, err = s.refresh(ctx, true); err != nil {
			return Tile{}, err
		}
	}
	v = s.scoped(req, v)
	if cur := v.of(req.Layers); cur != version {
		return Tile{}, &VersionError{Layers: req.Layers, Asked: version, Current: cur}
	}
	t, err := s.tileOf(ctx, req, v)
	if err != nil || !readsFirms(req.Layers) {
		return t, err
	}
	dv, err := s.store.DataVersion(ctx)
	if err != nil {
		return Tile{}, fmt.Errorf("tiles: data version: %w", err)
	}
	if dv != version {
		return Tile{}, &VersionError{Layers: req.Layers, Asked: version, Current: dv}
	}
	return t, nil
}

// VersionError is the error of a tile asked at a version of its layers that
// is not the current one. It carries the code ENOTFOUND.
type VersionError struct {
	Layers  []string
	Asked   int64
	Current int64
}

// Error says which version is current and where its tiles are.
func (e *VersionError) Error() string {
	layers := strings.Join(e.Layers, ",")
	return fmt.Sprintf("tiles of %s at data version %d are not served: the current version is %d (%s; reload the TileJSON %s)",
		layers, e.Asked, e.Current, VersionedPath(layers, e.Current), "/tiles/"+layers+".json")
}

// Unwrap gives the error its code.
func (e *VersionError) Unwrap() error { return &kume.Error{Code: kume.ENOTFOUND, Message: e.Error()} }

// VersionedPath returns the path template of a layer list's tiles at a
// version: /tiles/v/{version}/{layers}/{z}/{x}/{y}.mvt.
func VersionedPath(layers string, version int64) string {
	return "/tiles/v/" + strconv.FormatInt(version, 10) + "/" + layers + "/{z}/{x}/{y}.mvt"
}

// ParseVersion parses the version segment of a versioned tile URL: a plain
// decimal number of 1 to 18 digits (no sign, space or exponent); anything
// else is EINVALID.
func ParseVersion(s string) (int64, error) {
	if len(s) == 0 || len(s) > 18 {
		return 0, kume.Errorf(kume.EINVALID, "tile version must be a non-negative integer of at most 18 digits")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, kume.Errorf(kume.EINVALID, "tile version must be a non-negative integer of at most 18 digits")
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, kume.Errorf(kume.EINVALID, "tile version out of range")
	}
	return v, nil
}

// TileJSONAt is TileJSON whose tile URLs carry the version of the layers'
// data (see Version and TileAt): baseURL/tiles/v/{version}/{layers}/{z}/{x}/{y}.mvt.
func (s *Service) TileJSONAt(layers []string, p Params, baseURL string, version int64) TileJSON {
	tj := s.tileJSON(layers, p, baseURL, VersionedPath(strings.Join(layers, ","), version))
	tj.DataVersion = &version
	return tj
}
