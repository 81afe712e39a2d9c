package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/kume-geo/kume"
)

const jobsUsage = `list [--kind import|analysis] [--limit N] [--json]
       kume jobs show ID [--json] [--rejects FILE.csv]

Jobs are the server's background work: imports of uploads and analysis runs.
The store keeps them across restarts; kume serve deletes finished jobs after
--job-retention (default 7 days).`

func runJobs(ctx context.Context, env *Env, args []string) error {
	var (
		sc            storeConfig
		kind, rejects string
		limit         int
		asJSON        bool
	)
	fs := newFlagSet(env, "jobs", jobsUsage)
	addStoreFlags(fs, env, &sc)
	fs.StringVar(&kind, "kind", "", "list only jobs of this kind: import or analysis")
	fs.IntVar(&limit, "limit", 50, "list at most this many jobs, newest first (0: all)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	fs.StringVar(&rejects, "rejects", "", "write the rejected rows of an import job to this CSV file")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "list":
	case len(pos) == 2 && pos[0] == "show":
		if !kume.ValidJobID(pos[1]) {
			return kume.Errorf(kume.EINVALID, "job id %q: want 32 hexadecimal digits (see kume jobs list)", pos[1])
		}
	default:
		fs.Usage()
		return errUsage
	}
	if kind != "" && !kume.JobKind(kind).Valid() {
		return kume.Errorf(kume.EINVALID, "--kind must be import or analysis")
	}
	if limit < 0 {
		return kume.Errorf(kume.EINVALID, "--limit must not be negative")
	}
	st, err := sc.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if pos[0] == "list" {
		jobs, err := st.Jobs(ctx, kume.JobFilter{Kind: kume.JobKind(kind), Limit: limit})
		if err != nil {
			return err
		}
		return printJobs(env.Stdout, jobs, asJSON)
	}
	j, err := st.Job(ctx, pos[1])
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return kume.Errorf(kume.ENOTFOUND, "no job %s (finished jobs expire; see kume jobs list)", pos[1])
	} else if err != nil {
		return err
	}
	if rejects != "" {
		if err := writeRejects(rejects, j.Rejects); err != nil {
			return err
		}
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(j)
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}

// printJobs prints jobs as a table or JSON.
func printJobs(w io.Writer, jobs []kume.Job, asJSON bool) error {
	if asJSON {
		if jobs == nil {
			jobs = []kume.Job{}
		}
		return json.NewEncoder(w).Encode(jobs)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tDATASET\tKEY\tCREATED\tFINISHED\tERROR")
	for _, j := range jobs {
		finished, msg := "-", ""
		if j.FinishedAt != nil {
			finished = when(*j.FinishedAt)
		}
		if j.Error != nil {
			msg = j.Error.Message
			if len(msg) > 60 {
				msg = msg[:57] + "..."
			}
		}
		ds := "-"
		if j.DatasetID != 0 {
			ds = fmt.Sprint(j.DatasetID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", j.ID, j.Kind, j.Status, ds, j.Owner, when(j.CreatedAt), finished, strings.ReplaceAll(msg, "\t", " "))
	}
	return tw.Flush()
}

// writeRejects writes a job's gzip-compressed rejects CSV, uncompressed.
func writeRejects(path string, gz []byte) error {
	if len(gz) == 0 {
		return kume.Errorf(kume.ENOTFOUND, "the job has no rejected rows")
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return fmt.Errorf("the job's rejects: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, zr); err != nil {
		f.Close()
		return fmt.Errorf("the job's rejects: %w", err)
	}
	return f.Close()
}
