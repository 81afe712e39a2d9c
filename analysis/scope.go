package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
)

// plan is what one run of a scope reads: the datasets it reads and those it
// leaves out, as the run records them.
type plan struct {
	scope   kume.AnalysisScope
	read    []kume.AnalysisDataset
	omitted []kume.AnalysisDataset
}

// plan decides which datasets a run of scope reads, from the datasets the
// store holds when it starts: the public ones for the public analysis (the
// private ones left out), every one for AnalysisAll, the named ones for a
// DatasetsScope (the others left out; ENOTFOUND when one no longer exists).
func (r *Runner) plan(ctx context.Context, scope kume.AnalysisScope) (*plan, error) {
	ds, err := r.store.Datasets(ctx)
	if err != nil {
		return nil, fmt.Errorf("analysis: datasets: %w", err)
	}
	pl := &plan{scope: scope}
	named := scope.DatasetIDs()
	for _, id := range named {
		if !slices.ContainsFunc(ds, func(d *kume.Dataset) bool { return d.ID == id }) {
			return nil, kume.Errorf(kume.ENOTFOUND, "dataset %d of the analysis %s no longer exists", id, scope)
		}
	}
	for _, d := range ds {
		u := kume.AnalysisDataset{ID: d.ID, Name: d.Name, Visibility: d.Visibility}
		switch {
		case scope == kume.AnalysisPublic && d.Visibility != kume.Public:
			u.Reason = kume.OmitPrivate
		case named != nil && !slices.Contains(named, d.ID):
			u.Reason = kume.OmitNotChosen
		}
		if u.Reason != "" {
			pl.omitted = append(pl.omitted, u)
		} else {
			pl.read = append(pl.read, u)
		}
	}
	return pl, nil
}

// filter returns the filter of the establishments the run reads: exactly the
// datasets of the plan, and for the public analysis only while they are
// public (a dataset made private after the plan is read as none; its record
// then names it, which only narrows who may read the results).
func (pl *plan) filter() kume.EstablishmentFilter {
	f := kume.EstablishmentFilter{Lean: true, PublicOnly: pl.scope == kume.AnalysisPublic}
	for _, u := range pl.read {
		f.DatasetIDs = append(f.DatasetIDs, u.ID)
	}
	if f.PublicOnly {
		f.Granted = []int64{}
	}
	return f
}

// record writes the plan into the run about to be saved.
func (pl *plan) record(run *kume.AnalysisRun) {
	run.Scope, run.Datasets, run.Omitted = pl.scope, pl.read, pl.omitted
}

// Describe says in a sentence which datasets a run read and which it left
// out, and why: what "kume analyze" prints.
func Describe(run *kume.AnalysisRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the %s analysis read %s", scopeName(run.Scope), names(run.Datasets))
	if len(run.Omitted) == 0 {
		return b.String()
	}
	byReason := map[string][]kume.AnalysisDataset{}
	var reasons []string
	for _, u := range run.Omitted {
		if byReason[u.Reason] == nil {
			reasons = append(reasons, u.Reason)
		}
		byReason[u.Reason] = append(byReason[u.Reason], u)
	}
	for _, why := range reasons {
		fmt.Fprintf(&b, "; left out %s (%s)", names(byReason[why]), why)
	}
	return b.String()
}

// scopeName names a scope in a sentence.
func scopeName(s kume.AnalysisScope) string {
	switch s.Norm() {
	case kume.AnalysisPublic:
		return "public"
	case kume.AnalysisAll:
		return "all-datasets"
	}
	return "named-datasets"
}

// names lists datasets by name ("no dataset" when there are none).
func names(ds []kume.AnalysisDataset) string {
	if len(ds) == 0 {
		return "no dataset"
	}
	out := make([]string, len(ds))
	for i, u := range ds {
		out[i] = fmt.Sprintf("%q", u.Name)
	}
	noun := "datasets "
	if len(ds) == 1 {
		noun = "dataset "
	}
	return noun + strings.Join(out, ", ")
}
