package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/kume-geo/kume/ingest"
)

func runRegions(ctx context.Context, env *Env, args []string) error {
	var (
		sc   storeConfig
		opts ingest.RegionOptions
	)
	var asJSON bool
	fs := newFlagSet(env, "regions", "import FILE.geojson --level NAME [--name-field F] [--code-field F] [--parent-field F] [--parent-level L] [--json]")
	addStoreFlags(fs, env, &sc)
	fs.StringVar(&opts.Level, "level", "", "level of the regions, e.g. province, district (required)")
	fs.StringVar(&opts.NameField, "name-field", "", "property holding the name (default: name, ad, ...)")
	fs.StringVar(&opts.CodeField, "code-field", "", "property holding the code (default: code, id, number, ...)")
	fs.StringVar(&opts.ParentField, "parent-field", "", "property holding the code of the enclosing region (\"6\" finds the stored \"06\")")
	fs.StringVar(&opts.ParentLevel, "parent-level", "", "level of the enclosing regions (default: the stored level holding most of the parent codes)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&opts.CRS, "crs", "", "CRS of the coordinates when the file names none (default EPSG:4326)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "import" || opts.Level == "" {
		fs.Usage()
		return errUsage
	}
	in := env.Stdin
	if pos[1] != "-" {
		f, err := os.Open(pos[1])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	st, err := sc.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := ingest.ImportRegions(ctx, st, in, opts)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(rep)
	}
	return rep.WriteText(env.Stdout, sc.describe())
}
