package teststores

import (
	"context"
	"slices"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/storetest"
)

// Import imports establishments into the datasets their DatasetID names, one
// import a dataset in the order the datasets first appear, and sets each
// one's ID to the id the store gave it (found by dataset and source id). A
// fixture calls it again with changed establishments to change them in the
// store: the stores match rows by dataset and source id.
func Import(tb testing.TB, st kume.Store, ests []kume.Establishment) {
	tb.Helper()
	var order []int64
	byDataset := map[int64][]kume.Establishment{}
	for _, e := range ests {
		if _, ok := byDataset[e.DatasetID]; !ok {
			order = append(order, e.DatasetID)
		}
		byDataset[e.DatasetID] = append(byDataset[e.DatasetID], e)
	}
	for _, d := range order {
		storetest.MustImport(tb, st, d, kume.ImportOptions{}, byDataset[d])
	}
	stored, err := st.Establishments(context.Background(), kume.EstablishmentFilter{DatasetIDs: order})
	if err != nil {
		tb.Fatal(err)
	}
	type key struct {
		dataset int64
		source  string
	}
	ids := make(map[key]int64, len(stored))
	for _, e := range stored {
		ids[key{e.DatasetID, e.SourceID}] = e.ID
	}
	for i := range ests {
		ests[i].ID = ids[key{ests[i].DatasetID, ests[i].SourceID}]
	}
}

// SaveAnalysis saves a copy of *current, changed by change (nil: as it is),
// as a new analysis version, and makes the copy *current.
func SaveAnalysis(tb testing.TB, st kume.Store, current *kume.AnalysisResult, change func(r *kume.AnalysisResult)) {
	tb.Helper()
	next := kume.AnalysisResult{Run: current.Run, Cells: slices.Clone(current.Cells),
		Clusters: slices.Clone(current.Clusters), Regions: slices.Clone(current.Regions)}
	if change != nil {
		change(&next)
	}
	if _, err := st.SaveAnalysis(context.Background(), &next); err != nil {
		tb.Fatal(err)
	}
	*current = next
}
