package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/layer"
)

// emergingFlags registers the options of the emerging hot spot analysis
// (emerging.ParamNames, res aside: --res is shared) as flags of "kume
// export", by name; their values are read by emerging.ParseOptions, as the
// HTTP API reads its query.
func emergingFlags(fs *flag.FlagSet) map[string]*string {
	help := map[string]string{
		emerging.ParamStep:    "emerging: length of a time step: year (default), quarter or month",
		emerging.ParamFrom:    "emerging: first step, a year 2015, quarter 2015-Q2, month 2015-04 or day (default 9 steps before --to)",
		emerging.ParamTo:      "emerging: last step (default the step of the firms' latest date)",
		emerging.ParamK:       "emerging: grid-disk radius 1-10 (default the analysis's k)",
		emerging.ParamWindow:  "emerging: previous time steps in a bin's neighbourhood, 0-24 (default 1)",
		emerging.ParamUndated: "emerging: firms without a founding date: present (default) or omit",
		emerging.ParamMeasure: "emerging: firms (default) or employment",
		emerging.ParamAlpha:   "emerging: 0.10 (default), 0.05 or 0.01",
		emerging.ParamFDR:     "emerging: false discovery rate over the cube's bins: true (default) or false",
	}
	out := map[string]*string{}
	for _, name := range emerging.ParamNames() {
		if name == emerging.ParamRes {
			continue
		}
		out[name] = fs.String(name, "", help[name])
	}
	return out
}

// exportEmerging writes the emerging hot spot analysis the flags ask for as
// GeoJSON or CSV: the features of the emerging layer (package layer), with
// the provenance and, in GeoJSON, the method's members, computed by the same
// engine as the HTTP API's.
func exportEmerging(ctx context.Context, env *Env, format string, f *exportFlags, given map[string]string) error {
	if len(f.sectors) > 1 {
		return kume.Errorf(kume.EINVALID, "--sector may be given once for %s", format)
	}
	if _, ok := given["level"]; ok {
		return kume.Errorf(kume.EINVALID, "--level applies to the regions layer only")
	}
	st, err := f.sc.open(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := layer.NewSectors(nil, st)
	if err != nil {
		return err
	}
	req := emerging.Request{Public: f.public}
	if len(f.sectors) == 1 {
		if req.Sector, err = keys.Parse(f.sectors[0]); err != nil {
			return err
		}
	}
	if req.BBox, err = parseBBox(f.bbox); err != nil {
		return err
	}
	if f.dataset != "" {
		d, err := findDataset(ctx, st, f.dataset)
		if err != nil {
			return err
		}
		if f.public && d.Visibility != kume.Public {
			return kume.Errorf(kume.EINVALID, "dataset %s is private and --public is given", d.Name)
		}
		req.Datasets = []int64{d.ID}
	}
	req.Options, err = emerging.ParseOptions(func(name string) (string, bool) {
		if name == emerging.ParamRes {
			return strconv.Itoa(f.res), f.res >= 0
		}
		_, ok := given[name]
		return *f.emerging[name], ok
	})
	if err != nil {
		return err
	}
	eng, err := emerging.New(st, keys, emerging.Config{})
	if err != nil {
		return err
	}
	ans, _, err := eng.Run(ctx, req)
	if err != nil {
		return err
	}
	out, err := createOutput(ctx, env, f.out)
	if err != nil {
		return err
	}
	defer out.abort()
	if format == "geojson" {
		gw := export.NewGeoJSONWriter(out)
		if err := gw.Begin(); err != nil {
			return err
		}
		if _, err := ans.Export(f.public, 0, 0, gw.Write); err != nil {
			return err
		}
		if err := gw.End(append([]export.Member{{Key: "kume", Value: ans.Provenance}}, ans.Members()...)...); err != nil {
			return err
		}
	} else {
		cw := export.NewCSVWriter(out, export.Columns(layer.Emerging), false)
		if err := cw.Header(); err != nil {
			return err
		}
		if _, err := ans.Export(f.public, 0, 0, cw.Write); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		side, err := writeProvenance(ctx, env, f.out, ans.Provenance)
		if err != nil {
			return err
		}
		if side != nil {
			defer side.abort()
			if err := out.commit(); err != nil {
				return err
			}
			out = side
		}
	}
	if err := out.commit(); err != nil {
		return err
	}
	steps := ans.Steps()
	fmt.Fprintf(env.Stderr, "exported %d emerging features (%s..%s, %d %s steps, %d firms counted) as %s to %s\n",
		len(ans.Cells), steps[0].Label, steps[len(steps)-1].Label, len(steps), ans.Request.Step, ans.Firms.Counted, format, outName(f.out))
	return nil
}
