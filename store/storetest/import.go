package storetest

import (
	"testing"

	"github.com/kume-geo/kume"
)

func testImport(t *testing.T, open Opener) {
	t.Run("InsertReimportUpdate", func(t *testing.T) { testImportCycle(t, open) })
	t.Run("Replace", func(t *testing.T) { testImportReplace(t, open) })
	t.Run("Rollback", func(t *testing.T) { testImportRollback(t, open) })
	t.Run("Uncommitted", func(t *testing.T) { testImportUncommitted(t, open) })
	t.Run("DuplicateSourceID", func(t *testing.T) { testImportDuplicates(t, open) })
	t.Run("NewDataset", func(t *testing.T) { testImportNewDataset(t, open) })
	t.Run("MissingDataset", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		imp, err := s.BeginImport(ctx, 4242, kume.ImportOptions{})
		if err == nil {
			err = imp.Add(ctx, Firms()[:1])
			if err == nil {
				_, err = imp.Commit(ctx)
			}
			imp.Rollback(ctx)
		}
		wantCode(t, err, kume.ENOTFOUND, "import into a missing dataset")
		n, err := s.CountEstablishments(ctx, kume.EstablishmentFilter{})
		must(t, err, "CountEstablishments")
		if n != 0 {
			t.Errorf("%d establishments after a failed import, want 0", n)
		}
	})
}

// dataVersion returns the store's current data version.
func dataVersion(t testing.TB, s kume.EstablishmentStore) int64 {
	t.Helper()
	v, err := s.DataVersion(t.Context())
	if err != nil {
		t.Fatalf("DataVersion: %v", err)
	}
	return v
}

// datasetRows returns the dataset's establishments by source id.
func datasetRows(t testing.TB, s kume.Store, id int64) map[string]kume.Establishment {
	t.Helper()
	rows, err := s.Establishments(t.Context(), kume.EstablishmentFilter{DatasetIDs: []int64{id}})
	if err != nil {
		t.Fatalf("Establishments: %v", err)
	}
	assertSortedByID(t, "dataset rows", rows)
	out := make(map[string]kume.Establishment, len(rows))
	for _, e := range rows {
		out[e.SourceID] = e
	}
	return out
}

func assertStats(t testing.TB, what string, got, want kume.ImportStats) {
	t.Helper()
	if got != want {
		t.Errorf("%s: stats %+v, want %+v", what, got, want)
	}
}
