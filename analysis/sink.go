package analysis

import (
	"context"

	"github.com/kume-geo/kume"
)

// storeSink is the geo.CellSink that streams a run's cell statistics to a
// store that saves analyses as a stream. The store's writer is opened when
// geo knows how many rows the run has.
type storeSink struct {
	ctx  context.Context
	st   kume.AnalysisStreamer
	w    kume.AnalysisWriter
	rows int // written so far
}

func (s *storeSink) Begin(rows int) error {
	w, err := s.st.BeginAnalysis(s.ctx, rows)
	if err != nil {
		return err
	}
	s.w = w
	return nil
}

func (s *storeSink) Write(cells []kume.CellStat) error {
	if err := s.w.WriteCells(s.ctx, cells); err != nil {
		return err
	}
	s.rows += len(cells)
	return nil
}

// commit saves the rest of the result with the cells written.
func (s *storeSink) commit(res *kume.AnalysisResult) (int64, error) {
	if s.w == nil {
		return 0, kume.Errorf(kume.EINTERNAL, "analysis: the run wrote no cell statistics")
	}
	return s.w.Commit(s.ctx, res)
}

// abort discards what was written unless it was committed.
func (s *storeSink) abort() {
	if s.w != nil {
		s.w.Abort()
	}
}
