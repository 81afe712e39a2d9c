package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestHexagonsStudyAreaK checks that /hexagons reports the k of the run's
// parameters, nested as the analysis writes them or at the top level.
func TestHexagonsStudyAreaK(t *testing.T) { onStores(t, testHexagonsStudyAreaK) }

func testHexagonsStudyAreaK(t *testing.T, kind teststores.Kind) {
	for params, want := range map[string]any{
		`{"params":{"k":2,"resolutions":[7]},"study_area":"the buffer"}`: 2.0,
		`{"k":3}`: 3.0,
		`{}`:      nil,
	} {
		s, st, _ := newTestServer(t, kind, nil)
		st.saveAnalysis(t, func(r *kume.AnalysisResult) { r.Run.Params = json.RawMessage(params) })
		rec := do(t, s, http.MethodGet, "/api/v1/hexagons?res=7&include_empty=true", "", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", params, rec.Code, rec.Body)
		}
		var body struct {
			StudyArea map[string]any `json:"study_area"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if got := body.StudyArea["k"]; got != want {
			t.Errorf("%s: study_area.k = %v, want %v", params, got, want)
		}
	}
}
