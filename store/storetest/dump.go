package storetest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/kume-geo/kume"
)

// Contents is everything a store's readers can see, for comparing a store
// with itself across a restart or a crash.
type Contents struct {
	DataVersion    int64
	Datasets       []*kume.Dataset
	Establishments []kume.Establishment
	Regions        []kume.Region
	ValueChains    []kume.ValueChain
	Keys           []kume.APIKey
	Run            *kume.AnalysisRun  // nil before the first analysis
	Analyses       []kume.AnalysisRun // the current run of every scope
	Cells          []kume.CellStat    // of every resolution 0..15 and sector in Sectors
	Clusters       []kume.Cluster
	RegionStats    []kume.RegionStat // of every sector in Sectors
}

// Sectors are the sector keys Dump reads cell and region statistics for.
func Sectors() []string { return []string{kume.SectorAll, "13", "vc:textiles"} }

// Dump reads everything visible in s.
func Dump(tb testing.TB, s kume.Store) *Contents {
	tb.Helper()
	ctx := tb.Context()
	c := &Contents{}
	var err error
	check := func(what string, e error) {
		if e != nil {
			tb.Fatalf("Dump: %s: %v", what, e)
		}
	}
	c.DataVersion, err = s.DataVersion(ctx)
	check("DataVersion", err)
	c.Datasets, err = s.Datasets(ctx)
	check("Datasets", err)
	c.Establishments, err = s.Establishments(ctx, kume.EstablishmentFilter{})
	check("Establishments", err)
	c.Regions, err = s.Regions(ctx, kume.RegionFilter{})
	check("Regions", err)
	c.ValueChains, err = s.ValueChains(ctx)
	check("ValueChains", err)
	c.Keys, err = s.Keys(ctx)
	check("Keys", err)
	c.Run, err = s.LatestAnalysis(ctx)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		c.Run, err = nil, nil
	}
	check("LatestAnalysis", err)
	c.Analyses, err = s.Analyses(ctx)
	check("Analyses", err)
	for _, sector := range Sectors() {
		for res := 0; res <= 15; res++ {
			cells, err := s.CellStats(ctx, kume.CellFilter{Res: res, Sector: sector})
			check("CellStats", err)
			c.Cells = append(c.Cells, cells...)
		}
		rs, err := s.RegionStats(ctx, kume.RegionStatFilter{Sector: sector})
		check("RegionStats", err)
		c.RegionStats = append(c.RegionStats, rs...)
	}
	c.Clusters, err = s.Clusters(ctx, kume.ClusterFilter{})
	check("Clusters", err)
	return c
}

// AssertSameContents fails the test unless got and want hold the same data,
// compared as the conformance suite compares each part.
func AssertSameContents(tb testing.TB, got, want *Contents) {
	tb.Helper()
	if got.DataVersion != want.DataVersion {
		tb.Errorf("DataVersion %d, want %d", got.DataVersion, want.DataVersion)
	}
	if len(got.Datasets) != len(want.Datasets) {
		tb.Errorf("%d datasets, want %d", len(got.Datasets), len(want.Datasets))
	} else {
		for i := range got.Datasets {
			assertDataset(tb, "dataset", got.Datasets[i], want.Datasets[i])
		}
	}
	if len(got.Establishments) != len(want.Establishments) {
		tb.Errorf("%d establishments, want %d", len(got.Establishments), len(want.Establishments))
	} else {
		failed := 0
		for i := range got.Establishments {
			if !reflect.DeepEqual(NormalizeEstablishment(got.Establishments[i]), NormalizeEstablishment(want.Establishments[i])) {
				if failed++; failed <= 5 {
					tb.Errorf("establishment %d:\n got %s\nwant %s", i,
						FormatEstablishment(got.Establishments[i]), FormatEstablishment(want.Establishments[i]))
				}
			}
		}
		if failed > 5 {
			tb.Errorf("... and %d more establishments differ", failed-5)
		}
	}
	errs := []error{
		sameSlices("regions", got.Regions, want.Regions, func(a, b kume.Region) bool {
			return reflect.DeepEqual(normalizeRegion(a), normalizeRegion(b))
		}),
		sameSlices("value chains", got.ValueChains, want.ValueChains, func(a, b kume.ValueChain) bool {
			return reflect.DeepEqual(a, b)
		}),
		sameSlices("keys", got.Keys, want.Keys, func(a, b kume.APIKey) bool {
			return a.ID == b.ID && a.Name == b.Name && a.Scope == b.Scope && string(a.Hash) == string(b.Hash) &&
				a.CreatedAt.Equal(b.CreatedAt) && (a.RevokedAt == nil) == (b.RevokedAt == nil) &&
				(a.RevokedAt == nil || a.RevokedAt.Equal(*b.RevokedAt)) && sameGrants(a.Grants, b.Grants)
		}),
		sameSlices("analyses", got.Analyses, want.Analyses, sameRun),
		sameSlices("cell stats", got.Cells, want.Cells, func(a, b kume.CellStat) bool {
			return reflect.DeepEqual(normalizeCellStat(a), normalizeCellStat(b))
		}),
		sameSlices("clusters", got.Clusters, want.Clusters, sameCluster),
		sameSlices("region stats", got.RegionStats, want.RegionStats, func(a, b kume.RegionStat) bool {
			return reflect.DeepEqual(a, b)
		}),
	}
	for _, err := range errs {
		if err != nil {
			tb.Error(err)
		}
	}
	switch {
	case (got.Run == nil) != (want.Run == nil):
		tb.Errorf("analysis run %+v, want %+v", got.Run, want.Run)
	case got.Run != nil && !sameRun(*got.Run, *want.Run):
		tb.Errorf("analysis run %+v, want %+v", *got.Run, *want.Run)
	}
}

func sameSlices[T any](what string, got, want []T, same func(a, b T) bool) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d %s, want %d", len(got), what, len(want))
	}
	for i := range got {
		if !same(got[i], want[i]) {
			return fmt.Errorf("%s %d:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
	return nil
}
