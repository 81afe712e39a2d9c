package main

import (
	"context"
	"errors"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
)

func runGeocode(ctx context.Context, env *Env, args []string) error {
	var (
		sc        storeConfig
		gf        geocodeFlags
		dataset   string
		precision string
		asJSON    bool
	)
	fs := newFlagSet(env, "geocode", "--dataset NAME [--precision P] [--geocoder-url URL]")
	addStoreFlags(fs, env, &sc)
	gf.register(fs)
	fs.StringVar(&dataset, "dataset", "", "dataset whose establishments to geocode again (required)")
	fs.StringVar(&precision, "precision", string(kume.PrecisionDistrict), "geocode rows placed more coarsely than this: address|street|postcode|district|province|country")
	fs.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if dataset == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	st, err := sc.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	g, err := gf.geocoder(ctx, st)
	if err != nil {
		return err
	}
	if g == nil {
		return errors.New("no geocoder: load regions (kume regions import) or give --geocoder-url")
	}
	sum, err := ingest.Regeocode(ctx, st, dataset, kume.Precision(precision), g)
	if perr := printImportSummary(env.Stdout, sum, asJSON); perr != nil {
		return perr
	}
	return err
}
