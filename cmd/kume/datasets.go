package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/kume-geo/kume"
)

const datasetsUsage = `list [--json]
       kume datasets show NAME|ID [--json]
       kume datasets set-visibility NAME|ID public|private
       kume datasets delete NAME|ID --yes

A dataset is private unless made public: a new one (kume import, or POST
/api/v1/datasets) is private unless --visibility public says otherwise.
Private datasets never show to callers without a key.`

// datasetDetail is what "kume datasets show --json" prints.
type datasetDetail struct {
	*kume.Dataset
	Firms        int        `json:"firms"`
	Institutions int        `json:"institutions"`
	Jobs         []kume.Job `json:"jobs"`
}

func runDatasets(ctx context.Context, env *Env, args []string) error {
	var (
		sc          storeConfig
		asJSON, yes bool
	)
	fs := newFlagSet(env, "datasets", datasetsUsage)
	addStoreFlags(fs, env, &sc)
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	fs.BoolVar(&yes, "yes", false, "confirm a delete")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	want := map[string]int{"list": 1, "show": 2, "set-visibility": 3, "delete": 2}
	if len(pos) == 0 || want[pos[0]] != len(pos) {
		fs.Usage()
		return errUsage
	}
	var vis kume.Visibility
	if pos[0] == "set-visibility" {
		if vis = kume.Visibility(pos[2]); !vis.Valid() {
			return kume.Errorf(kume.EINVALID, "visibility %q: want public or private", pos[2])
		}
	}
	if pos[0] == "delete" && !yes {
		return kume.Errorf(kume.EINVALID, "deleting dataset %s removes all its establishments; run again with --yes to confirm", pos[1])
	}
	st, err := sc.open(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if pos[0] == "list" {
		return listDatasets(ctx, env.Stdout, st, asJSON)
	}
	d, err := findDataset(ctx, st, pos[1])
	if err != nil {
		return err
	}
	switch pos[0] {
	case "show":
		return showDataset(ctx, env.Stdout, st, d, asJSON)
	case "set-visibility":
		if d.Visibility == vis {
			fmt.Fprintf(env.Stdout, "dataset %s is %s already\n", d.Name, vis)
			return nil
		}
		was := d.Visibility
		d.Visibility = vis
		if err := st.UpdateDataset(ctx, d); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "dataset %s is now %s (was %s)\n", d.Name, vis, was)
		fmt.Fprintln(env.Stderr, "its establishments show accordingly at once; the aggregates (hexagons, clusters, rankings) follow at the next analysis: kume analyze, or a running server's own")
		return nil
	default: // delete
		if err := st.DeleteDataset(ctx, d.ID); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "dataset %s deleted with its %d establishments\n", d.Name, d.Count)
		return nil
	}
}

// listDatasets prints every dataset.
func listDatasets(ctx context.Context, w io.Writer, st kume.Store, asJSON bool) error {
	ds, err := st.Datasets(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if ds == nil {
			ds = []*kume.Dataset{}
		}
		return json.NewEncoder(w).Encode(ds)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tVISIBILITY\tESTABLISHMENTS\tIMPORTED\tSOURCE")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Name, d.Visibility, d.Count, when(d.ImportedAt), d.Source)
	}
	return tw.Flush()
}

// showDataset prints one dataset, its counts by kind and its latest jobs.
func showDataset(ctx context.Context, w io.Writer, st kume.Store, d *kume.Dataset, asJSON bool) error {
	det := datasetDetail{Dataset: d, Jobs: []kume.Job{}}
	var err error
	for _, c := range []struct {
		kind kume.Kind
		n    *int
	}{{kume.KindFirm, &det.Firms}, {kume.KindInstitution, &det.Institutions}} {
		if *c.n, err = st.CountEstablishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}, Kind: c.kind}); err != nil {
			return err
		}
	}
	jobs, err := st.Jobs(ctx, kume.JobFilter{Kind: kume.JobImport})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j.DatasetID == d.ID && len(det.Jobs) < 5 {
			det.Jobs = append(det.Jobs, j)
		}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(det)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"id", strconv.FormatInt(d.ID, 10)}, {"name", d.Name}, {"visibility", string(d.Visibility)},
		{"establishments", fmt.Sprintf("%d (%d firms, %d institutions)", d.Count, det.Firms, det.Institutions)},
		{"imported", when(d.ImportedAt)}, {"source", d.Source}, {"licence", d.Licence}, {"attribution", d.Attribution},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	for _, j := range det.Jobs {
		fmt.Fprintf(tw, "upload job:\t%s %s %s\n", j.ID, j.Status, j.CreatedAt.UTC().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// when formats a time for a table, "-" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
