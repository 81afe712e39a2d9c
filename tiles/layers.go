package tiles

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"

	"github.com/kume-geo/kume"
)

// tileCtx is what every layer builder needs to know about the tile.
type tileCtx struct {
	id     TileID
	proj   projection
	bbox   orb.Bound // the buffered tile in WGS84
	box    orb.Bound // the buffered tile in tile coordinates
	v      *versions
	params Params
	access kume.Access
}

func (s *Service) tileContext(req Request, v *versions) *tileCtx {
	b := float64(s.cfg.Buffer)
	e := float64(s.cfg.Extent)
	return &tileCtx{
		id:     req.Tile,
		proj:   newProjection(req.Tile, s.cfg.Extent),
		bbox:   bufferedBound(req.Tile, s.cfg.Extent, s.cfg.Buffer),
		box:    orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{e + b, e + b}},
		v:      v,
		params: req.Params,
		access: req.Access,
	}
}

// encode builds the MVT of req: one layer per requested layer that has
// features at this zoom, in the order of layerNames, each named with suffix
// appended, by Config.Encoder when it is set and the layer is not hexagons.
// A tile without features is nil.
func (s *Service) encode(ctx context.Context, req Request, v *versions, suffix string) ([]byte, error) {
	tc := s.tileContext(req, v)
	var out []byte
	for _, name := range layerNames() {
		zr := s.cfg.Zooms[name]
		if !slices.Contains(req.Layers, name) || int(tc.id.Z) < zr.Min || int(tc.id.Z) > zr.Max {
			continue
		}
		if s.cfg.Encoder != nil && name != LayerHexagons && name != LayerEmerging {
			var err error
			if out, err = s.encodeOutside(ctx, tc, name, name+suffix, out); err != nil {
				return nil, fmt.Errorf("tiles: %s %s: %w", name, tc.id, err)
			}
			continue
		}
		enc := s.encoder(name + suffix)
		var err error
		switch name {
		case LayerHexagons:
			err = s.hexagons(ctx, tc, enc)
		case LayerClusters:
			err = s.clusters(ctx, tc, enc)
		case LayerRegions:
			err = s.regions(ctx, tc, enc)
		case LayerEstablishments, LayerInstitutions:
			err = s.points(ctx, tc, enc, name)
		case LayerEmerging:
			err = s.emergingLayer(ctx, tc, enc)
		}
		if err == nil {
			out = enc.appendTo(out)
		}
		s.encoders.Put(enc)
		if err != nil {
			return nil, fmt.Errorf("tiles: %s %s: %w", name, tc.id, err)
		}
	}
	return out, nil
}

// encoder returns an empty layer encoder from the service's pool: reusing the
// encoders' tables and buffers spares most of a tile's allocations.
func (s *Service) encoder(name string) *layerEncoder {
	if enc, ok := s.encoders.Get().(*layerEncoder); ok {
		enc.reset(name, s.cfg.Extent)
		return enc
	}
	return newLayerEncoder(name, s.cfg.Extent)
}

// polygonsToTile projects a WGS84 multipolygon to tile coordinates, clips it to
// the buffered tile and simplifies it with tolerance tol (none when 0).
func polygonsToTile(mp orb.MultiPolygon, tc *tileCtx, tol float64) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, poly := range mp {
		p := make(orb.Polygon, 0, len(poly))
		for _, r := range poly {
			tr := make(orb.Ring, len(r))
			for i, pt := range r {
				tr[i] = tc.proj.lonLatToTile(pt[0], pt[1])
			}
			p = append(p, tr)
		}
		out = append(out, p)
	}
	return clipSimplify(out, tc.box, tol)
}

// clipSimplify clips mp (tile coordinates) to box and simplifies it.
func clipSimplify(mp orb.MultiPolygon, box orb.Bound, tol float64) orb.MultiPolygon {
	if len(mp) == 0 {
		return nil
	}
	if !box.Intersects(mp.Bound()) {
		return nil
	}
	if !contains(box, mp.Bound()) {
		mp = clip.MultiPolygon(box, mp)
	}
	if tol > 0 && len(mp) > 0 {
		mp = simplify.DouglasPeucker(tol).MultiPolygon(mp)
	}
	return mp
}

// contains reports whether b lies entirely inside box.
func contains(box, b orb.Bound) bool {
	return b.Min[0] >= box.Min[0] && b.Min[1] >= box.Min[1] && b.Max[0] <= box.Max[0] && b.Max[1] <= box.Max[1]
}

// FeatureID returns the feature id of a region or cluster derived from a
// string key: the first 53 bits of the MD5 digest of the parts, each followed
// by a zero byte, so that JavaScript clients read it exactly and a database can
// compute it with md5().
func FeatureID(parts ...string) uint64 {
	h := md5.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var sum [md5.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0])) >> 11
}
