package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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
		sc                                 storeConfig
		gf                                 geocodeFlags
		o                                  ingest.Options
		maps                               stringList
		mappingFile, format, kind, onError string
		rejectsFile, closedAt, visibility  string
		asJSON, noAnalyze                  bool
	)
	fs := newFlagSet(env, "import", "FILE... (- for stdin) --dataset NAME [flags]")
	addStoreFlags(fs, env, &sc)
	gf.register(fs)
	fs.StringVar(&o.Dataset, "dataset", "", "dataset to import into (created when new)")
	fs.StringVar(&kind, "kind", "firm", "kind of rows without a kind column: firm|institution")
	fs.StringVar(&format, "format", "auto", "auto|csv|geojson|ndjson")
	fs.Var(&maps, "map", "FIELD=COLUMN, repeatable; fields: "+strings.Join(ingest.FieldNames(), ", "))
	fs.StringVar(&mappingFile, "mapping", "", "YAML file mapping fields to columns")
	fs.StringVar(&o.CRS, "crs", "", "CRS of the coordinates, e.g. EPSG:2154 (default EPSG:4326)")
	fs.StringVar(&o.Encoding, "encoding", "utf-8", strings.Join(ingest.Encodings(), "|"))
	fs.StringVar(&onError, "on-error", "abort", "abort: import nothing if any row is invalid; skip: import the valid rows")
	fs.StringVar(&rejectsFile, "rejects", "", "write rejected rows with their reasons to this CSV file")
	fs.BoolVar(&o.Replace, "replace", false, "close the dataset's establishments that the import does not contain")
	fs.StringVar(&closedAt, "closed-at", "", "set this closing date (YYYY-MM-DD) on every row: import a register of exits")
	fs.BoolVar(&o.DryRun, "dry-run", false, "read and validate only; write nothing")
	fs.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	fs.BoolVar(&noAnalyze, "no-analyze", false, "do not run the analysis after a successful import")
	fs.StringVar(&visibility, "visibility", "private", "visibility of a new dataset: public|private")
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
	o.Kind, o.OnError, o.NewDataset.Visibility = kume.Kind(kind), ingest.OnError(onError), kume.Visibility(visibility)
	if o.Format, err = ingest.ParseFormat(format); err != nil {
		return err
	}
	if o.Mapping, err = loadMapping(mappingFile, maps); err != nil {
		return err
	}
	if closedAt != "" {
		t, err := time.Parse("2006-01-02", closedAt)
		if err != nil {
			return fmt.Errorf("--closed-at: want YYYY-MM-DD: %w", err)
		}
		o.ClosedAt = &t
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
	var st kume.Store
	if !o.DryRun || gf.url != "" {
		if st, err = sc.open(ctx, true); err != nil {
			return err
		}
		defer st.Close()
		if o.Geocoder, err = gf.geocoder(ctx, st); err != nil {
			return err
		}
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

// analyseAfterImport runs the analysis so that the map shows the new data.
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
	res, err := r.Run(ctx)
	if err != nil {
		return fmt.Errorf("import committed, but the analysis failed (run \"kume analyze\" again): %w", err)
	}
	if !quiet {
		fmt.Fprintf(env.Stderr, "analysis saved as data version %d (%d cluster footprints)\n", res.Run.Version, len(res.Clusters))
	}
	return nil
}

// loadMapping merges the YAML mapping file and the --map pairs (which win).
func loadMapping(file string, pairs []string) (ingest.Mapping, error) {
	m := ingest.Mapping{}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if m, err = ingest.LoadMapping(f); err != nil {
			return nil, err
		}
	}
	extra, err := ingest.ParseMapping(pairs)
	if err != nil {
		return nil, err
	}
	return m.Merge(extra), nil
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
