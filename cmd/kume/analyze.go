package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/nace"
)

// analyzeFlags are the method parameters a command line may set.
type analyzeFlags struct {
	res   string
	k     int
	fdr   bool
	minFi int
	discK int
	local string
}

func runAnalyze(ctx context.Context, env *Env, args []string) error {
	var sc storeConfig
	var af analyzeFlags
	var asJSON, verbose, includePrivate bool
	var datasets string
	profile, args, err := cutProfileFlag(args)
	if err != nil {
		return err
	}
	fs := newFlagSet(env, "analyze", "[--db URL|--store DIR] [--datasets A,B | --include-private] [--res 4-9] [--k 1] [--fdr=true] [--min-firms 20] [--include-local 47,56|*] [--json] [--verbose]"+
		"\n\nWithout --datasets or --include-private it makes the public analysis, of the public datasets only, which\n"+
		"anonymous callers and keys without grants see. --datasets analyses exactly the datasets named (at least one\n"+
		"private), --include-private every dataset; each such analysis is kept beside the public one and is seen only by\n"+
		"keys that may read every dataset it read (kume keys grant). The summary says which datasets were left out and why.")
	addStoreFlags(fs, env, &sc)
	fs.StringVar(&datasets, "datasets", "", "analyse exactly these datasets (names or ids, comma-separated; at least one private)")
	fs.BoolVar(&includePrivate, "include-private", false, "analyse every dataset, private ones included")
	af.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print a machine-readable summary")
	fs.BoolVar(&verbose, "verbose", false, "log each stage's duration to standard error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := sc.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	ds, err := st.Datasets(ctx)
	if err != nil {
		return err
	}
	var names []string
	if datasets != "" {
		names = strings.Split(datasets, ",")
	}
	scope, err := kume.ResolveScope(ds, names, includePrivate)
	if err != nil {
		return err
	}
	base, err := analysisParams(ctx, st)
	if err != nil {
		return err
	}
	p, err := af.params(base)
	if err != nil {
		return err
	}
	tax, err := nace.New()
	if err != nil {
		return err
	}
	cfg := analysis.Config{Params: p}
	if verbose {
		cfg.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r, err := analysis.New(st, tax, cfg)
	if err != nil {
		return err
	}
	stopProfile, err := startProfile(profile)
	if err != nil {
		return err
	}
	defer tuneGC(env.Getenv, analyzeGCPercent, heapAllowance(st))()
	started := time.Now()
	res, err := r.Run(ctx, scope)
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	sum := analyzeSummary{Version: res.Run.Version, Cells: r.Status().Cells, Clusters: len(res.Clusters),
		Regions: len(res.Regions), Seconds: time.Since(started).Seconds(),
		Scope: res.Run.Scope, Datasets: res.Run.Datasets, Omitted: res.Run.Omitted}
	if sum.Datasets == nil {
		sum.Datasets = []kume.AnalysisDataset{}
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(sum)
	}
	fmt.Fprintf(env.Stdout, "analysis saved as data version %d: %d cell statistics, %d cluster footprints, %d region statistics in %.1fs\n",
		sum.Version, sum.Cells, sum.Clusters, sum.Regions, sum.Seconds)
	printScope(env, &res.Run)
	return nil
}

// printScope says on standard output which datasets a run read and left out,
// and how to analyse the private ones it left out.
func printScope(env *Env, run *kume.AnalysisRun) {
	fmt.Fprintln(env.Stdout, analysis.Describe(run))
	for _, u := range run.Omitted {
		if u.Reason == kume.OmitPrivate {
			fmt.Fprintln(env.Stdout, privateHint)
			return
		}
	}
}

// analyzeSummary is what "kume analyze --json" prints.
type analyzeSummary struct {
	Version  int64   `json:"version"`
	Cells    int     `json:"cells"`
	Clusters int     `json:"clusters"`
	Regions  int     `json:"regions"`
	Seconds  float64 `json:"seconds"`
	// Scope, Datasets and Omitted are the run's record: the datasets it
	// read and those it left out, with why.
	Scope    kume.AnalysisScope     `json:"scope"`
	Datasets []kume.AnalysisDataset `json:"datasets"`
	Omitted  []kume.AnalysisDataset `json:"omitted,omitempty"`
}

// flagRegistrar is the part of flag.FlagSet that analyzeFlags uses.
type flagRegistrar interface {
	StringVar(p *string, name, value, usage string)
	IntVar(p *int, name string, value int, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}

func (a *analyzeFlags) register(fs flagRegistrar) {
	d := geo.DefaultParams()
	fs.StringVar(&a.res, "res", "4-9", "H3 resolutions to analyse: a range 4-9 or a list 5,7,9")
	fs.IntVar(&a.k, "k", d.K, "grid-disk radius of the Gi* neighbourhood")
	fs.BoolVar(&a.fdr, "fdr", d.FDR, "Benjamini–Hochberg false-discovery-rate control of the hot-spot bins")
	fs.IntVar(&a.minFi, "min-firms", d.MinFirms, "critical mass of a cluster: firms of its main activity (a chain's core, or the division)")
	fs.StringVar(&a.local, "include-local", "", "local NACE divisions (retail 47, restaurants 56, …) that may form clusters all the same: a list 47,56 or * for all")
	fs.IntVar(&a.discK, "disclosure-k", d.DisclosureK, "suppress published aggregates of fewer firms")
}

// params returns base with the parameters the flags set, validated.
func (a *analyzeFlags) params(base geo.Params) (geo.Params, error) {
	p := base
	res, err := parseResolutions(a.res)
	if err != nil {
		return p, err
	}
	p.Resolutions, p.K, p.FDR, p.MinFirms, p.DisclosureK = res, a.k, a.fdr, a.minFi, a.discK
	p.IncludeLocal = nil
	for _, c := range strings.Split(a.local, ",") {
		if c = strings.TrimSpace(c); c != "" {
			p.IncludeLocal = append(p.IncludeLocal, c)
		}
	}
	return p, p.Validate()
}

// parseResolutions reads "4-9" or "5,7,9".
func parseResolutions(s string) ([]int, error) {
	bad := kume.Errorf(kume.EINVALID, "--res %q: want a range like 4-9 or a list like 5,7,9", s)
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a > b || b-a > 15 {
			return nil, bad
		}
		out := make([]int, 0, b-a+1)
		for r := a; r <= b; r++ {
			out = append(out, r)
		}
		return out, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, bad
		}
		out = append(out, r)
	}
	return out, nil
}

// privateHint says how to analyse the private datasets a public analysis
// left out, and who sees the result.
const privateHint = "to analyse private datasets, run kume analyze --datasets NAME,… or --include-private; " +
	"keys granted every dataset such an analysis read see it (kume keys grant)"
