package main

import (
	"context"
	"strings"

	"github.com/kume-geo/kume"
)

// scopeStore is a store whose reads of analysis results without a version
// read one analysis (run), not the public one: "kume export --datasets" and
// "--include-private" export the analysis of those datasets.
type scopeStore struct {
	kume.Store
	run kume.AnalysisRun
}

// LatestAnalysis returns the analysis the store reads.
func (s scopeStore) LatestAnalysis(context.Context) (*kume.AnalysisRun, error) {
	run := s.run
	return &run, nil
}

// CellStats reads the cells of the analysis when f names no version.
func (s scopeStore) CellStats(ctx context.Context, f kume.CellFilter) ([]kume.CellStat, error) {
	if f.Version == 0 {
		f.Version = s.run.Version
	}
	return s.Store.CellStats(ctx, f)
}

// Clusters reads the clusters of the analysis when f names no version.
func (s scopeStore) Clusters(ctx context.Context, f kume.ClusterFilter) ([]kume.Cluster, error) {
	if f.Version == 0 {
		f.Version = s.run.Version
	}
	return s.Store.Clusters(ctx, f)
}

// Cluster reads a cluster of the analysis when no version is given.
func (s scopeStore) Cluster(ctx context.Context, version int64, id string) (*kume.Cluster, error) {
	if version == 0 {
		version = s.run.Version
	}
	return s.Store.Cluster(ctx, version, id)
}

// RegionStats reads the region statistics of the analysis when f names no
// version.
func (s scopeStore) RegionStats(ctx context.Context, f kume.RegionStatFilter) ([]kume.RegionStat, error) {
	if f.Version == 0 {
		f.Version = s.run.Version
	}
	return s.Store.RegionStats(ctx, f)
}

// withScope returns st reading the current analysis of the scope that
// datasets (comma-separated names or ids) or includePrivate name, as kume
// analyze resolves them; st itself (the public analysis) when neither is
// given. A scope without an analysis is ENOTFOUND, saying how to make one.
func withScope(ctx context.Context, st kume.Store, datasets string, includePrivate bool) (kume.Store, error) {
	var names []string
	if datasets != "" {
		names = strings.Split(datasets, ",")
	}
	ds, err := st.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := kume.ResolveScope(ds, names, includePrivate)
	if err != nil || scope == kume.AnalysisPublic {
		return st, err
	}
	runs, err := st.Analyses(ctx)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		if run.Scope == scope {
			return scopeStore{Store: st, run: run}, nil
		}
	}
	how := "--include-private"
	if datasets != "" {
		how = "--datasets " + datasets
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "no analysis of these datasets yet: run kume analyze %s", how)
}
