package tiles

import (
	"context"
	"math"
	"strconv"

	"github.com/kume-geo/kume"
)

// points writes the establishments (firms) or institutions layer. Only
// establishments of public datasets that are active at the end of the day
// Params.At (or at Config.Now without one) appear, at most Config.MaxPoints
// per tile (the lowest store ids first).
func (s *Service) points(ctx context.Context, tc *tileCtx, enc *layerEncoder, name string) error {
	now := tc.params.activeAt(s.cfg.Now)
	f := kume.EstablishmentFilter{BBox: &tc.bbox, ActiveAt: &now, PublicOnly: true, Limit: s.cfg.MaxPoints}
	if name == LayerInstitutions {
		f.Kind, f.Type = kume.KindInstitution, tc.params.Type
	} else {
		f.Kind = kume.KindFirm
		prefixes, err := s.cfg.Sectors.Prefixes(ctx, tc.params.Sector)
		if err != nil {
			return err
		}
		f.NACEPrefixes = prefixes
	}
	es, err := s.store.Establishments(ctx, f)
	if err != nil {
		return err
	}
	props := make([]prop, 0, 5)
	for i := range es {
		e := &es[i]
		if !e.ActiveAt(now) || math.IsNaN(e.Lon) || math.IsNaN(e.Lat) {
			continue
		}
		p := tc.proj.lonLatToTile(e.Lon, e.Lat)
		if !tc.box.Contains(p) || e.ID < 0 {
			continue
		}
		props = append(props[:0], pInt("id", e.ID), pString("name", e.Name))
		if name == LayerInstitutions {
			props = append(props, pString("type", string(e.Type)))
		} else {
			if e.NACE != "" {
				props = append(props, pString("nace", e.NACE))
			}
			if b := employeeBand(e.Employees); b != "" {
				props = append(props, pString("employees", b))
			}
		}
		enc.addPoint(uint64(e.ID), true, p, props)
	}
	return nil
}

// employeeBand returns the head count as a band: a register's own band as
// "low-high" or "low+", an exact count as its EU size class ("0", "1-9",
// "10-49", "50-249", "250+"), "" when unknown. Exact counts are never
// published.
func employeeBand(e kume.Employees) string {
	switch {
	case !e.Known:
		return ""
	case !e.Exact() && e.High < 0:
		return strconv.Itoa(e.Low) + "+"
	case !e.Exact():
		return strconv.Itoa(e.Low) + "-" + strconv.Itoa(e.High)
	case e.Low <= 0:
		return "0"
	case e.Low < 10:
		return "1-9"
	case e.Low < 50:
		return "10-49"
	case e.Low < 250:
		return "50-249"
	}
	return "250+"
}
