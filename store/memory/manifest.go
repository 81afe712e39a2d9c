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
	e.str(st.analysisFile)

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
	}
	return nil
}

func decodeManifest(d *decoder) (*state, error) {
	st := emptyState()
	st.version, st.nextDataset, st.nextEst, st.nextKey, st.nextFile = d.varint(), d.varint(), d.varint(), d.varint(), d.varint()
	st.regionsFile, st.analysisFile = d.str(), d.str()

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
	}
	if err := d.done(); err != nil {
		return nil, err
	}
	sorted := slices.IsSortedFunc(st.datasets, func(a, b *kume.Dataset) int { return cmp.Compare(a.ID, b.ID) }) &&
		slices.IsSortedFunc(st.chains, func(a, b kume.ValueChain) int { return cmp.Compare(a.ID, b.ID) }) &&
		slices.IsSortedFunc(st.keys, func(a, b kume.APIKey) int { return cmp.Compare(a.ID, b.ID) })
	if !sorted || st.nextDataset < 1 || st.nextEst < 1 || st.nextKey < 1 || st.nextFile < 1 {
		return nil, fmt.Errorf("inconsistent manifest: %w", errCorrupt)
	}
	return st, nil
}
