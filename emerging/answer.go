package emerging

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// Answer is one analysis: its request, the result and what the firms it read
// say. It is shared between callers and never changed once made.
type Answer struct {
	Request Request
	// DataVersion is the data version the answer is valid at.
	DataVersion int64
	// Result is the analysis of the cube.
	Result *geo.EmergingResult
	// Cells are the features of every face, in cell order: each cell with a
	// firm at some step or with a pattern, as package layer's emerging layer
	// reads it. rows[i] is the row of Cells[i] in Result.
	Cells   []layer.EmergingCell
	rows    []int32
	centres []orb.Point
	// Firms counts what happened to the firms read; Dates tells which dates
	// they have.
	Firms FirmCounts
	Dates Dates
	// Categories counts the cells of the whole study area per category.
	Categories map[geo.Category]int
	// Provenance is the provenance of every export of the answer.
	Provenance *export.Provenance
	key        string
	size       int
}

// newAnswer builds the answer of a result.
func newAnswer(req Request, version int64, r *geo.EmergingResult, counts FirmCounts, dates Dates, prov *export.Provenance) *Answer {
	a := &Answer{Request: req, DataVersion: version, Result: r, Firms: counts, Dates: dates, Provenance: prov,
		Categories: map[geo.Category]int{}, key: req.key()}
	T := r.Params.Steps.N
	lv := int8(r.Params.Level)
	for i, cell := range r.Cells {
		a.Categories[r.Category[i]]++
		lo, hi := r.Series(i)
		occupied := false
		for _, n := range r.Firms[lo:hi] {
			occupied = occupied || n > 0
		}
		if !occupied && r.Category[i] == geo.NoPattern {
			continue
		}
		tr := r.Trend(i)
		c := layer.EmergingCell{Cell: cell, Res: r.Res, Sector: req.Sector, Category: string(r.Category[i]),
			Code: r.Category[i].Code(), TrendS: tr.S, TrendZ: tr.Z, TrendP: tr.P, Tau: tr.Tau}
		for _, b := range r.Bins[lo:hi] {
			if b >= lv {
				c.HotSteps++
			} else if b <= -lv {
				c.ColdSteps++
			}
		}
		last := hi - 1
		if z := r.Z[last]; z == z {
			c.FinalZ = &z
		}
		c.FinalBin = int(r.Bins[last])
		c.Firms, c.Employees = int(r.Firms[last]), r.Employees[last]
		c.Suppressed = r.Suppressed != nil && r.Suppressed[last]
		a.Cells = append(a.Cells, c)
		a.rows = append(a.rows, int32(i))
		a.centres = append(a.centres, geo.CellCenter(cell))
	}
	a.size = 1024 + len(r.Cells)*(8+16+48) + len(r.Cells)*T*(4+8+1+8+1) + len(a.Cells)*(160+4+16)
	return a
}

// Size is the approximate memory the answer holds, in bytes.
func (a *Answer) Size() int { return a.size }

// Cell returns the feature of an H3 cell and true, or false when the cell is
// not a feature of the answer (no firm at any step and no pattern, or outside
// the study area).
func (a *Answer) Cell(cell uint64) (layer.EmergingCell, bool) {
	if i := sortedIndex(a.Cells, cell); i >= 0 {
		return a.Cells[i], true
	}
	return layer.EmergingCell{}, false
}

// Centre returns the centre (longitude, latitude) of feature i's cell.
func (a *Answer) Centre(i int) orb.Point { return a.centres[i] }

// Step is one time step of an answer.
type Step struct {
	Label string `json:"label"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Steps returns the time steps of the span.
func (a *Answer) Steps() []Step {
	ts := a.Result.Params.Steps
	steps := make([]Step, ts.N)
	for i := range steps {
		start, end := ts.Bounds(i)
		steps[i] = Step{Label: ts.Label(i), Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly)}
	}
	return steps
}
