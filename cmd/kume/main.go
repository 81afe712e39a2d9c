// Command kume is the kume cluster-mapping service and its tools: serve the map
// and API, import firm registers and regions, geocode, run the analytics,
// export data, generate synthetic registers, and manage API keys, datasets,
// jobs and the database schema. It is the only place that wires concrete
// types together (wire.go). Run "kume help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	err := Run(ctx, env, os.Args[1:])
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "kume:", errorText(err))
		os.Exit(1)
	}
}

// errorText is the one line printed for a failed command: the whole chain of
// wrapped errors, which names what failed and why (the command line is the
// operator's, so nothing is hidden as it is from HTTP clients).
func errorText(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// Env is what a command may use of the process: its streams and environment.
// Tests pass their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

// command is one subcommand of kume.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands lists kume's subcommands in the order "kume help" shows them.
func commands() []command {
	return []command{
		{"serve", "serve the web map, tiles and API", runServe},
		{"migrate", "apply or roll back the PostGIS schema (up|down|status)", runMigrate},
		{"import", "import firms or institutions from CSV, GeoJSON or NDJSON files", runImport},
		{"regions", "load administrative boundaries (regions import FILE.geojson --level NAME)", runRegions},
		{"analyze", "compute the cluster analytics and store them as a new data version", runAnalyze},
		{"geocode", "geocode again the rows of a dataset placed more coarsely than asked", runGeocode},
		{"export", "export a layer as GeoJSON or CSV, or map layers as a PMTiles archive", runExport},
		{"keys", "create, list and revoke API keys (keys create|list|revoke)", runKeys},
		{"datasets", "list, show, publish or hide, and delete datasets (datasets list|show|set-visibility|delete)", runDatasets},
		{"jobs", "list the server's import and analysis jobs (jobs list|show)", runJobs},
		{"gen-demo", "generate a synthetic firm register (labelled synthetic) for demos and benchmarks", runGenDemo},
		{"version", "print the version", runVersion},
	}
}

// Run runs the kume command line given without the program name.
func Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(env.Stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "kume: unknown command %q\n\n", args[0])
	printHelp(env.Stderr)
	return errUsage
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "kume maps industrial clusters: firms and institutions, H3 hot spots, cluster footprints.")
	fmt.Fprintln(w, "\nUsage: kume COMMAND [flags]    (kume COMMAND --help for a command's flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// newFlagSet returns a flag set that writes its usage to env.Stderr and returns
// errors instead of exiting.
func newFlagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: kume %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a parse error into errUsage (flag has already
// printed the reason and usage).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
