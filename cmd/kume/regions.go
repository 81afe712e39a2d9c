package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kume-geo/kume/ingest"
)

func runRegions(ctx context.Context, env *Env, args []string) error {
	var (
		sc   storeConfig
		opts ingest.RegionOptions
	)
	fs := newFlagSet(env, "regions", "import FILE.geojson --level NAME [--name-field F] [--code-field F] [--parent-field F]")
	addStoreFlags(fs, env, &sc)
	fs.StringVar(&opts.Level, "level", "", "level of the regions, e.g. province, district (required)")
	fs.StringVar(&opts.NameField, "name-field", "", "property holding the name (default: name, ad, ...)")
	fs.StringVar(&opts.CodeField, "code-field", "", "property holding the code (default: code, id, number, ...)")
	fs.StringVar(&opts.ParentField, "parent-field", "", "property holding the code of the enclosing region")
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
	n, err := ingest.ImportRegions(ctx, st, in, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d %s regions stored in the %s\n", n, opts.Level, sc.describe())
	return nil
}
