package teststores_test

import (
	"context"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/store/storetest"
)

// TestImportAndSaveAnalysis: Import gives each establishment its store id and,
// called again with a changed row, changes that row and keeps the ids;
// SaveAnalysis saves the changed copy as the current version.
func TestImportAndSaveAnalysis(t *testing.T) {
	teststores.Run(t, func(t *testing.T, kind teststores.Kind) {
		ctx := context.Background()
		st := teststores.Open(t, kind)
		pub := storetest.MustCreateDataset(t, st, "pub", kume.Public)
		priv := storetest.MustCreateDataset(t, st, "priv", kume.Private)
		rows := storetest.Firms()[:3]
		rows[0].DatasetID, rows[1].DatasetID, rows[2].DatasetID = pub.ID, priv.ID, pub.ID
		teststores.Import(t, st, rows)
		ids := []int64{rows[0].ID, rows[1].ID, rows[2].ID}
		for i, id := range ids {
			e, err := st.Establishment(ctx, id)
			if err != nil || e.SourceID != rows[i].SourceID || e.DatasetID != rows[i].DatasetID {
				t.Fatalf("row %d: id %d holds %+v (%v)", i, id, e, err)
			}
		}
		rows[1].Name = "Renamed"
		teststores.Import(t, st, rows)
		if e, err := st.Establishment(ctx, rows[1].ID); err != nil || e.Name != "Renamed" || rows[1].ID != ids[1] {
			t.Errorf("after a second import: %+v, %v; ids %v then %d", e, err, ids, rows[1].ID)
		}

		current := *storetest.AnalysisResult()
		teststores.SaveAnalysis(t, st, &current, nil)
		first := current.Run.Version
		teststores.SaveAnalysis(t, st, &current, func(r *kume.AnalysisResult) { r.Cells = r.Cells[:1] })
		run, err := st.LatestAnalysis(ctx)
		if err != nil || run.Version != current.Run.Version || run.Version <= first || len(current.Cells) != 1 {
			t.Errorf("latest %+v (%v), current version %d after %d, %d cells", run, err, current.Run.Version, first, len(current.Cells))
		}
	})
}
