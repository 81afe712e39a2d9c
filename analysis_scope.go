package kume

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// AnalysisScope names the datasets an analysis reads. A store keeps the
// current analysis of each scope (and may keep the one before), each under
// its own data version:
//
//   - AnalysisPublic, the public analysis: the datasets that are public when
//     it runs. It is what anonymous callers and keys without grants see.
//   - AnalysisAll: every dataset, private ones included.
//   - DatasetsScope(ids): exactly those datasets.
//
// "" is read as AnalysisPublic.
type AnalysisScope string

// The scopes that name no datasets of their own.
const (
	AnalysisPublic AnalysisScope = "public"
	AnalysisAll    AnalysisScope = "all"
)

// datasetsPrefix starts the scope of a named set of datasets.
const datasetsPrefix = "datasets:"

// DatasetsScope returns the scope of exactly the datasets ids (in any order,
// repeats ignored): "datasets:" and the ids ascending, joined by commas.
func DatasetsScope(ids []int64) AnalysisScope {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	b := []byte(datasetsPrefix)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return AnalysisScope(b)
}

// Norm returns s with "" read as AnalysisPublic.
func (s AnalysisScope) Norm() AnalysisScope {
	if s == "" {
		return AnalysisPublic
	}
	return s
}

// DatasetIDs returns the datasets of a DatasetsScope, ascending, and nil for
// the other scopes.
func (s AnalysisScope) DatasetIDs() []int64 {
	rest, ok := strings.CutPrefix(string(s), datasetsPrefix)
	if !ok {
		return nil
	}
	var ids []int64
	for _, f := range strings.Split(rest, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil
		}
		ids = append(ids, id)
	}
	return ids
}

// Check returns an EINVALID error unless s is "", AnalysisPublic,
// AnalysisAll or a DatasetsScope of positive ids in its canonical form.
func (s AnalysisScope) Check() error {
	switch s {
	case "", AnalysisPublic, AnalysisAll:
		return nil
	}
	ids := s.DatasetIDs()
	if len(ids) == 0 || len(s) > 4096 || DatasetsScope(ids) != s || ids[0] <= 0 {
		return Errorf(EINVALID, "analysis scope %.80q: want public, all or datasets:<id>,<id>… (ids ascending)", s)
	}
	return nil
}

// AnalysisDataset is a dataset as an analysis saw it: one it read, or one it
// left out and why.
type AnalysisDataset struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Visibility Visibility `json:"visibility"`
	// Reason says why an analysis left the dataset out ("" for one it read).
	Reason string `json:"reason,omitempty"`
}

// Reasons an analysis leaves a dataset out.
const (
	// OmitPrivate: the public analysis reads public datasets only.
	OmitPrivate = "private: the public analysis reads public datasets only"
	// OmitNotChosen: an analysis of named datasets reads those only.
	OmitNotChosen = "not among the datasets this analysis was asked to read"
)

// CanReadAnalysis reports whether a may read the results of run, given the
// datasets the store holds now (by id): a may read every dataset the run
// read (CanRead), and a dataset deleted since counts as readable when it was
// public when the run read it. A run without a record of its datasets (saved
// before runs kept one) is a public analysis of its time and readable by
// everyone.
func (a Access) CanReadAnalysis(run *AnalysisRun, datasets map[int64]*Dataset) bool {
	for _, u := range run.Datasets {
		d, ok := datasets[u.ID]
		if !ok {
			if u.Visibility != Public && !a.admin {
				return false
			}
			continue
		}
		if !a.CanRead(d) {
			return false
		}
	}
	return true
}

// ChooseAnalysis returns the analysis whose results a caller with access a
// reads, among runs, the current run of each scope (AnalysisStore.Analyses):
// the newest run the caller may read (CanReadAnalysis) that is either the
// public analysis or one that read a dataset, private now, that the caller
// may read. Anonymous callers and keys without grants so read the public
// analysis, and only while every dataset it read is still public; a key
// granted a private dataset reads the newest analysis of it (and of nothing
// else it may not read). Nil when there is none. datasets are the store's
// datasets now.
func ChooseAnalysis(runs []AnalysisRun, datasets []*Dataset, a Access) *AnalysisRun {
	byID := make(map[int64]*Dataset, len(datasets))
	for _, d := range datasets {
		byID[d.ID] = d
	}
	var best *AnalysisRun
	for i := range runs {
		run := &runs[i]
		if best != nil && run.Version <= best.Version {
			continue
		}
		if !a.CanReadAnalysis(run, byID) {
			continue
		}
		if run.Scope.Norm() != AnalysisPublic && !readsPrivate(run, byID) {
			continue
		}
		best = run
	}
	return best
}

// readsPrivate reports whether run read a dataset that exists and is private.
func readsPrivate(run *AnalysisRun, byID map[int64]*Dataset) bool {
	for _, u := range run.Datasets {
		if d := byID[u.ID]; d != nil && d.Visibility != Public {
			return true
		}
	}
	return false
}

// ResolveScope returns the scope of an analysis a person asks for among the
// datasets ds: with neither names nor includePrivate the public analysis;
// with includePrivate every dataset (AnalysisAll); with names exactly those
// datasets (names or ids). A scope besides the public one exists to read
// private datasets: one that would read none is EINVALID, as are an unknown
// name and names given with includePrivate.
func ResolveScope(ds []*Dataset, names []string, includePrivate bool) (AnalysisScope, error) {
	switch {
	case len(names) > 0 && includePrivate:
		return "", Errorf(EINVALID, "give either the datasets to analyse or include-private, not both")
	case len(names) == 0 && !includePrivate:
		return AnalysisPublic, nil
	}
	private := false
	if includePrivate {
		for _, d := range ds {
			private = private || d.Visibility != Public
		}
		if !private {
			return "", Errorf(EINVALID, "there is no private dataset to include: the public analysis reads every dataset")
		}
		return AnalysisAll, nil
	}
	var ids []int64
	for _, n := range names {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(ds, func(d *Dataset) bool { return d.Name == n || fmt.Sprint(d.ID) == n })
		if i < 0 {
			return "", Errorf(EINVALID, "no dataset %q", n)
		}
		ids = append(ids, ds[i].ID)
		private = private || ds[i].Visibility != Public
	}
	if !private {
		return "", Errorf(EINVALID,
			"the datasets named are all public: their analysis is the public analysis (analyse without naming datasets)")
	}
	return DatasetsScope(ids), nil
}
