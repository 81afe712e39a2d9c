package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kume-geo/kume/synth"
)

func runGenDemo(ctx context.Context, env *Env, args []string) error {
	var (
		cfg      synth.Config
		format   string
		out      string
		asJSON   bool
		seedFlag uint64
	)
	fs := newFlagSet(env, "gen-demo", "--firms N [--seed S] [--bad 0.03] [--patterns] [--format csv|geojson] -o FILE|-")
	fs.IntVar(&cfg.Firms, "firms", 0, "number of synthetic firms to generate (required)")
	fs.Uint64Var(&seedFlag, "seed", 1, "random seed: the same seed gives the same file")
	fs.Float64Var(&cfg.Bad, "bad", synth.DefaultBad, "share of deliberately bad rows (0..0.5), after the first 200")
	fs.BoolVar(&cfg.Patterns, "patterns", false, "plant space-time patterns (a new, an intensifying, a diminishing and an oscillating hot spot, NACE 26.11-26.30, 2015-2024) for the emerging hot spot analysis")
	fs.StringVar(&format, "format", "csv", "csv|geojson")
	fs.StringVar(&out, "o", "", "output file, - for standard output (required)")
	fs.BoolVar(&asJSON, "json", false, "print the counts of rows and defects as JSON on standard error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cfg.Firms <= 0 || out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	cfg.Seed = seedFlag
	if format != string(synth.CSV) && format != string(synth.GeoJSON) {
		return fmt.Errorf("--format %q: want csv or geojson", format)
	}
	o, err := createOutput(ctx, env, out)
	if err != nil {
		return err
	}
	defer o.abort()
	st, err := synth.Write(o, cfg, synth.Format(format))
	if err != nil {
		return err
	}
	if err := o.commit(); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stderr).Encode(st)
	}
	bad := st.Rows - st.Valid
	fmt.Fprintf(env.Stderr, "%d synthetic firms written (%d deliberately bad: %v)\n", st.Rows, bad, st.Bad)
	if out != "-" {
		fmt.Fprintf(env.Stderr, "import with: kume import %s --dataset synthetic --on-error skip --source %q\n", out, synth.DatasetSource(cfg.Seed))
	}
	return nil
}
