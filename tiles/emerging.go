package tiles

import (
	"context"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/layer"
)

// emergingLayer writes the emerging layer: the cells of the emerging hot
// spot analysis the parameters ask for, as an anonymous caller sees it,
// from Config.Emerging (the engine GET /api/v1/emerging reads too, so that a
// view's tiles and its legend share one computation and its bound).
func (s *Service) emergingLayer(ctx context.Context, tc *tileCtx, enc *layerEncoder) error {
	if s.cfg.Emerging == nil {
		return kume.Errorf(kume.ENOTSUPPORTED, "the emerging layer is not configured")
	}
	ans, _, err := s.cfg.Emerging.Run(ctx, emerging.Request{Options: tc.params.Emerging, Sector: tc.params.Sector, Public: true})
	if err != nil {
		return err
	}
	box := layer.GrowBox(tc.bbox, ans.Result.Res, 90)
	var props []prop
	for i := range ans.Cells {
		if !box.Contains(ans.Centre(i)) {
			continue
		}
		c := &ans.Cells[i]
		mp := s.cellTile(c.Cell, tc)
		if len(mp) == 0 {
			continue
		}
		props = appendProps(props[:0], s.defs.emerging, c)
		enc.addPolygon(c.Cell, true, mp, props)
	}
	return nil
}
