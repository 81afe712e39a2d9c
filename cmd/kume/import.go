package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/nace"
)

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, which it returns ("-" is positional).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// geocodeFlags configure the geocoders of import and geocode.
type geocodeFlags struct {
	url, cache, userAgent, countries string
	interval                         time.Duration
}

func (g *geocodeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.url, "geocoder-url", "", "Nominatim-compatible geocoder for rows without coordinates (after the offline gazetteer of loaded regions)")
	fs.StringVar(&g.cache, "geocoder-cache", "kume-geocode-cache", "directory caching geocoder answers")
	fs.StringVar(&g.userAgent, "geocoder-user-agent", "kume/"+version, "User-Agent sent to the geocoder")
	fs.StringVar(&g.countries, "geocoder-countries", "", "limit geocoder results to these country codes (e.g. tr,de)")
	fs.DurationVar(&g.interval, "geocoder-interval", time.Second, "least time between geocoder requests")
}

// geocoder returns the HTTP geocoder (when configured) followed by the
// gazetteer of the stored regions.
func (g *geocodeFlags) geocoder(ctx context.Context, st kume.RegionStore) (ingest.Geocoder, error) {
	var chain ingest.Chain
	if g.url != "" {
		n := ingest.NewNominatim(g.url, g.userAgent, g.cache)
		n.Interval, n.CountryCodes = g.interval, g.countries
		chain = append(chain, n)
	}
	gaz, err := ingest.LoadGazetteer(ctx, st)
	if err != nil {
		return nil, err
	}
	if gaz != nil {
		chain = append(chain, gaz)
	}
	if len(chain) == 0 {
		return nil, nil
	}
	return chain, nil
}

func runImport(ctx context.Context, env *Env, args []string) error {
	var (
		sc                storeConfig
		gf                geocodeFlags
		o                 ingest.Options
		rejectsFile       string
		asJSON, noAnalyze bool
	)
	fs := newFlagSet(env, "import", "FILE... (- for stdin) --dataset NAME [flags]")
	addStoreFlags(fs, env, &sc)
	gf.register(fs)
	fs.StringVar(&o.Dataset, "dataset", "", "dataset to import into (created, private unless --visibility public, when new)")
	shared := registerSettings(fs)
	fs.StringVar(&rejectsFile, "rejects", "", "write rejected rows with their reasons to this CSV file")
	fs.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	fs.BoolVar(&noAnalyze, "no-analyze", false, "do not run the analysis after a successful import")
	fs.StringVar(&o.NewDataset.Source, "source", "", "source of a new dataset")
	fs.StringVar(&o.NewDataset.Licence, "licence", "", "licence of a new dataset")
	fs.StringVar(&o.NewDataset.Attribution, "attribution", "", "attribution of a new dataset")
	profile, args, err := cutProfileFlag(args)
	if err != nil {
		return err
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 || o.Dataset == "" {
		fs.Usage()
		return errUsage
	}
	settings, err := shared.settings()
	if err != nil {
		return err
	}
	if err := settings.Apply(&o); err != nil {
		return err
	}
	var srcs []ingest.Source
	for _, name := range files {
		if name == "-" {
			srcs = append(srcs, ingest.Source{Name: "-", Reader: env.Stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		srcs = append(srcs, ingest.Source{Name: name, Reader: f})
	}
	if rejectsFile != "" {
		f, err := os.Create(rejectsFile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.Rejects = f
	}
	// A dry run reads the store as the import would (the dataset, the
	// regions of the offline gazetteer and of the swapped-file check), so
	// that it makes the same decisions, but writes nothing to it.
	var st kume.Store
	if o.DryRun {
		st, err = sc.openReadOnly(ctx)
	} else {
		st, err = sc.open(ctx, true)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	if o.Geocoder, err = gf.geocoder(ctx, st); err != nil {
		return err
	}
	if o.Areas, err = ingest.LoadAreas(ctx, st); err != nil {
		return err
	}
	var progress ingest.Progress
	if isTerminal(env.Stderr) && !asJSON {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(env.Stderr), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		defer bar.Finish()
		progress = bar
	}
	stopProfile, err := startProfile(profile)
	if err != nil {
		return err
	}
	restoreMemory := limitMemory(env.Getenv, importMemoryLimit)
	sum, runErr := ingest.Run(ctx, st, srcs, o, progress)
	restoreMemory()
	if err := stopProfile(); err != nil {
		return err
	}
	sum.RejectsFile = rejectsFile
	// A run that failed before reading a row has nothing to summarise but
	// its error (JSON output always carries the summary).
	if runErr == nil || sum.Read > 0 || asJSON {
		if err := printImportSummary(env.Stdout, sum, asJSON); err != nil {
			return err
		}
	}
	if runErr != nil || o.DryRun || noAnalyze || sum.Inserted+sum.Updated+sum.Closed == 0 {
		return runErr
	}
	return analyseAfterImport(ctx, env, st, asJSON)
}

// analyseAfterImport runs the public analysis, and then every other scope's
// the store keeps, so that the map shows the new data; it says what each run
// left out.
func analyseAfterImport(ctx context.Context, env *Env, st kume.Store, quiet bool) error {
	tax, err := nace.New()
	if err != nil {
		return err
	}
	p, err := analysisParams(ctx, st)
	if err != nil {
		return err
	}
	r, err := analysis.New(st, tax, analysis.Config{Params: p})
	if err != nil {
		return err
	}
	defer tuneGC(env.Getenv, analyzeGCPercent, heapAllowance(st))()
	runs, err := st.Analyses(ctx)
	if err != nil {
		return err
	}
	scopes := []kume.AnalysisScope{kume.AnalysisPublic}
	for _, run := range runs {
		if run.Scope.Norm() != kume.AnalysisPublic {
			scopes = append(scopes, run.Scope)
		}
	}
	for _, scope := range scopes {
		res, err := r.Run(ctx, scope)
		if err != nil {
			return fmt.Errorf("import committed, but the analysis %s failed (run \"kume analyze\" again): %w", scope, err)
		}
		if !quiet {
			fmt.Fprintf(env.Stderr, "analysis saved as data version %d (%d cluster footprints): %s\n",
				res.Run.Version, len(res.Clusters), analysis.Describe(&res.Run))
			if scope == kume.AnalysisPublic && len(scopes) == 1 && slices.ContainsFunc(res.Run.Omitted,
				func(u kume.AnalysisDataset) bool { return u.Reason == kume.OmitPrivate }) {
				fmt.Fprintln(env.Stderr, privateHint)
			}
		}
	}
	return nil
}

func printImportSummary(w io.Writer, sum ingest.Summary, asJSON bool) error {
	if !asJSON {
		return sum.WriteText(w)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
