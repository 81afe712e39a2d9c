package main

import (
	"context"
	"maps"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/demo"
	"github.com/kume-geo/kume/geo"
)

// analysisParams returns the method parameters of an analysis of st: the
// documented defaults, plus the demo's attribute regions (Berlin's districts)
// when the store holds the demo's Berlin businesses.
func analysisParams(ctx context.Context, st kume.Store) (geo.Params, error) {
	p := geo.DefaultParams()
	_, err := st.DatasetByName(ctx, demo.BerlinDataset)
	switch {
	case err == nil:
		if p.RegionAttrs == nil {
			p.RegionAttrs = map[string]string{}
		}
		maps.Copy(p.RegionAttrs, demo.RegionAttrs())
	case kume.ErrorCode(err) != kume.ENOTFOUND:
		return p, err
	}
	return p, nil
}
