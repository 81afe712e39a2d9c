package api

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
)

// Study-area sources of a LISA response.
const (
	studyGi     = "gi"     // the Gi* study area stored by the analysis
	studyBuffer = "buffer" // built here: occupied cells plus the k-ring buffer
)

// lisaStudy is the study area of one sector key and resolution with the
// active firm counts of its cells (sorted by cell).
type lisaStudy struct {
	cells  []uint64
	values []float64
	stats  map[uint64]lisaCell // stored rows by cell, what the answer needs of them
	source string
	k      int // buffer radius of the study area
}

// lisaCell is what /lisa keeps of a stored cell statistic: a few bytes a
// cell instead of the whole row, so that a study of hundreds of thousands
// of cells stays small.
type lisaCell struct {
	firms      int32
	suppressed bool
}

// analysisParams is what /lisa reads from the analysis run's parameters.
type analysisParams struct {
	K           *int  `json:"k"`
	Resolutions []int `json:"resolutions"`
}

// readAnalysisParams reads k and the resolutions from a run's parameters:
// nested under "params" as the analysis writes them (geo.RunInfo), or at the
// top level.
func readAnalysisParams(raw json.RawMessage) analysisParams {
	var p struct {
		analysisParams
		Nested *analysisParams `json:"params"`
	}
	_ = json.Unmarshal(raw, &p) // absent or foreign parameters leave the zero values
	if p.Nested != nil {
		return *p.Nested
	}
	return p.analysisParams
}

// loadLISAStudy streams the cell statistics of a sector key at res in the
// caller's analysis (v), keeping what the answer needs of them, and
// rebuilds the Gi* study area: the occupied cells (active firms > 0) and
// every cell within the analysis's k of them. A study whose occupied cells
// alone are too much work for mp (geo.CheckMoranCells) is refused before
// the area is built. When the stored rows do not
// hold that whole area (a key or resolution without Gi*), the area is built
// from the occupied cells and the request's k instead.
func loadLISAStudy(ctx context.Context, v *view, sector string, res, k int, ap analysisParams, mp geo.MoranParams) (*lisaStudy, error) {
	st := &lisaStudy{stats: map[uint64]lisaCell{}, source: studyBuffer, k: k}
	var occupied []uint64
	err := v.EachCellStat(ctx, kume.CellFilter{Res: res, Sector: sector}, func(c *kume.CellStat) error {
		st.stats[c.Cell] = lisaCell{firms: int32(c.Firms), suppressed: c.Suppressed}
		if c.Firms > 0 {
			occupied = append(occupied, c.Cell)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(occupied) == 0 {
		if len(ap.Resolutions) > 0 && !slices.Contains(ap.Resolutions, res) {
			return nil, invalid("res", "resolution %d was not analysed (analysed: %v)", res, ap.Resolutions)
		}
		return nil, invalid("sector", "no cell with active firms of sector %q at resolution %d in the current analysis", sector, res)
	}
	// The study area holds at least the occupied cells: a request that
	// would be too much work on them alone is refused before the area is
	// built.
	if err := geo.CheckMoranCells(len(occupied), k, mp); err != nil {
		return nil, err
	}
	if ap.K != nil && *ap.K >= 1 && *ap.K <= geo.MaxK {
		gi, err := geo.BufferedCells(occupied, *ap.K)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(gi, func(c uint64) bool { _, ok := st.stats[c]; return !ok }) {
			st.cells, st.source, st.k = gi, studyGi, *ap.K
		}
	}
	if st.cells == nil {
		if st.cells, err = geo.BufferedCells(occupied, k); err != nil {
			return nil, err
		}
	}
	st.values = make([]float64, len(st.cells))
	for i, c := range st.cells {
		st.values[i] = float64(st.stats[c].firms)
	}
	return st, nil
}

// definition describes the study area for the response.
func (st *lisaStudy) definition() map[string]any {
	def := "the Gi* study area of the analysis: every cell with at least one active firm of the sector key at this resolution, " +
		"plus every cell within grid distance k of such a cell (empty cells included, as zeros)"
	if st.source == studyBuffer {
		def = "no Gi* study area is stored for this sector key and resolution; built here from the cells with at least one " +
			"active firm of the key plus every cell within grid distance k (the request's k) of them (empty cells as zeros)"
	}
	return map[string]any{"source": st.source, "definition": def, "k": st.k}
}
