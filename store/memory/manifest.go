package memory

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/kume-geo/kume"
)

// encodeManifest writes the counters, the small parts of the state and the
// names of the data files.
func encodeManifest(e *encoder, st *state) error {
	e.varint(st.version)
	e.varint(st.nextDataset)
	e.varint(st.nextEst)
	e.varint(st.nextKey)
	e.varint(st.nextFile)
	e.str(st.regionsFile)

	e.uvarint(uint64(len(st.datasets)))
	for _, d := range st.datasets {
		e.varint(d.ID)
		e.str(d.Name)
		e.str(d.Source)
		e.str(d.Licence)
		e.str(d.Attribution)
		e.str(string(d.Visibility))
		e.time(d.ImportedAt)
		e.int(d.Count)
		e.str(st.estFiles[d.ID])
	}

	e.uvarint(uint64(len(st.chains)))
	for _, vc := range st.chains {
		e.str(vc.ID)
		e.strMap(vc.Name)
		e.str(vc.Source)
		e.uvarint(uint64(len(vc.Roles)))
		for _, r := range slices.Sorted(maps.Keys(vc.Roles)) {
			e.str(string(r))
			e.uvarint(uint64(len(vc.Roles[r])))
			for _, code := range vc.Roles[r] {
				e.str(code)
			}
		}
	}

	e.uvarint(uint64(len(st.keys)))
	for _, k := range st.keys {
		e.varint(k.ID)
		e.str(k.Name)
		e.str(string(k.Scope))
		e.bytes(k.Hash)
		e.time(k.CreatedAt)
		e.optTime(k.RevokedAt)
		e.uvarint(uint64(len(k.Grants)))
		for _, g := range k.Grants {
			e.varint(g.DatasetID)
			e.str(string(g.Right))
		}
	}

	e.uvarint(uint64(len(st.analyses)))
	for _, sl := range st.analyses {
		e.str(sl.file)
		r := &sl.run
		e.str(string(r.Scope))
		e.varint(r.Version)
		e.time(r.StartedAt)
		e.time(r.FinishedAt)
		e.bytes(r.Params)
		encodeRunDatasets(e, r.Datasets)
		encodeRunDatasets(e, r.Omitted)
	}
	return nil
}

func encodeRunDatasets(e *encoder, ds []kume.AnalysisDataset) {
	e.uvarint(uint64(len(ds)))
	for _, d := range ds {
		e.varint(d.ID)
		e.str(d.Name)
		e.str(string(d.Visibility))
		e.str(d.Reason)
	}
}

func decodeRunDatasets(d *decoder) []kume.AnalysisDataset {
	n := d.count(4)
	if n == 0 {
		return nil
	}
	out := make([]kume.AnalysisDataset, n)
	for i := range out {
		out[i] = kume.AnalysisDataset{ID: d.varint(), Name: d.str(), Visibility: kume.Visibility(d.str()), Reason: d.str()}
	}
	return out
}

func decodeManifest(d *decoder) (*state, error) {
	st := emptyState()
	st.version, st.nextDataset, st.nextEst, st.nextKey, st.nextFile = d.varint(), d.varint(), d.varint(), d.varint(), d.varint()
	st.regionsFile = d.str()
	v1 := d.version == 1
	if v1 {
		// The one analysis file: the public analysis, its run read from
		// the file when it is opened (openAnalyses).
		if f := d.str(); f != "" {
			st.analyses = []*scopeSlot{{run: kume.AnalysisRun{Scope: kume.AnalysisPublic}, file: f}}
		}
	}

	st.datasets = make([]*kume.Dataset, d.count(8))
	for i := range st.datasets {
		ds := &kume.Dataset{ID: d.varint(), Name: d.str(), Source: d.str(), Licence: d.str(),
			Attribution: d.str(), Visibility: kume.Visibility(d.str()), ImportedAt: d.time(), Count: d.int()}
		if f := d.str(); f != "" {
			st.estFiles[ds.ID] = f
		}
		st.datasets[i] = ds
	}

	st.chains = make([]kume.ValueChain, d.count(4))
	for i := range st.chains {
		vc := kume.ValueChain{ID: d.str(), Name: d.strMap(), Source: d.str()}
		if n := d.count(2); n > 0 {
			vc.Roles = make(map[kume.Role][]string, n)
			for range n {
				r := kume.Role(d.str())
				codes := make([]string, d.count(1))
				for k := range codes {
					codes[k] = d.str()
				}
				vc.Roles[r] = codes
			}
		}
		st.chains[i] = vc
	}

	st.keys = make([]kume.APIKey, d.count(6))
	for i := range st.keys {
		st.keys[i] = kume.APIKey{ID: d.varint(), Name: d.str(), Scope: kume.Scope(d.str()), Hash: d.bytes(),
			CreatedAt: d.time(), RevokedAt: d.optTime()}
		if !v1 {
			if n := d.count(2); n > 0 {
				st.keys[i].Grants = make([]kume.Grant, n)
				for j := range n {
					st.keys[i].Grants[j] = kume.Grant{DatasetID: d.varint(), Right: kume.Right(d.str())}
				}
			}
		}
	}
	if !v1 {
		st.analyses = make([]*scopeSlot, d.count(6))
		for i := range st.analyses {
			sl := &scopeSlot{file: d.str()}
			sl.run = kume.AnalysisRun{Scope: kume.AnalysisScope(d.str()), Version: d.varint(), StartedAt: d.time(),
				FinishedAt: d.time(), Params: d.bytes()}
			sl.run.Datasets, sl.run.Omitted = decodeRunDatasets(d), decodeRunDatasets(d)
			if len(sl.run.Params) == 0 {
				sl.run.Params = nil
			}
			st.analyses[i] = sl
		}
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	sorted := slices.IsSortedFunc(st.datasets, func(a, b *kume.Dataset) int { return cmp.Compare(a.ID, b.ID) }) &&
		slices.IsSortedFunc(st.chains, func(a, b kume.ValueChain) int { return cmp.Compare(a.ID, b.ID) }) &&
		slices.IsSortedFunc(st.keys, func(a, b kume.APIKey) int { return cmp.Compare(a.ID, b.ID) }) &&
		slices.IsSortedFunc(st.analyses, func(a, b *scopeSlot) int { return cmp.Compare(a.run.Scope, b.run.Scope) })
	for _, sl := range st.analyses {
		if sl.file == "" || sl.run.Scope.Check() != nil || (!v1 && sl.run.Version <= 0) {
			sorted = false
		}
	}
	if !sorted || st.nextDataset < 1 || st.nextEst < 1 || st.nextKey < 1 || st.nextFile < 1 {
		return nil, fmt.Errorf("inconsistent manifest: %w", errCorrupt)
	}
	return st, nil
}
