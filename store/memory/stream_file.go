package memory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kume-geo/kume"
)

// fileStream streams an analysis into a persisted store: it writes the
// analysis file (see analysis_file.go) into a temp file as the cells arrive
// and keeps none of them in memory.
type fileStream struct {
	streamState
	f       *os.File // the temp file; nil once closed
	temp    string   // its path
	e       *encoder
	index   groupIndex
	scratch []byte
}

// beginFileStream creates the temp file and writes the header and the count.
func (s *Store) beginFileStream(st streamState) (*fileStream, error) {
	f, err := os.CreateTemp(s.dir, tempPrefix+"analysis-*")
	if err != nil {
		return nil, err
	}
	w := &fileStream{streamState: st, f: f, temp: f.Name(), e: newEncoder(f, kindAnalysis), scratch: make([]byte, 0, chunkLen+256)}
	w.cleanup = func() {
		if w.f != nil {
			w.f.Close()
			w.f = nil
		}
		os.Remove(w.temp)
	}
	w.e.uvarint(uint64(st.order.want))
	return w, nil
}

// chunkLen is the size of the chunks WriteCells encodes rows into before
// it hands them to the encoder.
const chunkLen = 64 << 10

// WriteCells checks the batch and appends it to the file. One pass over the
// rows checks their order, indexes their groups and encodes them, chunk by
// chunk.
func (w *fileStream) WriteCells(ctx context.Context, cells []kume.CellStat) error {
	if err := w.check(ctx); err != nil {
		return err
	}
	if err := w.order.room(len(cells)); err != nil {
		return w.end(err)
	}
	b := w.scratch[:0]
	at := w.e.offset() // of b[0]
	for i := range cells {
		if err := w.order.check(cells, i); err != nil {
			return w.end(err)
		}
		c := &cells[i]
		w.index.add(at+int64(len(b)), c)
		b = appendCell(b, c)
		if len(b) >= chunkLen {
			if _, err := w.e.w.Write(b); err != nil {
				return w.end(fmt.Errorf("memory: write analysis: %w", err))
			}
			at += int64(len(b))
			b = b[:0]
		}
	}
	if _, err := w.e.w.Write(b); err != nil {
		return w.end(fmt.Errorf("memory: write analysis: %w", err))
	}
	w.scratch = b[:0]
	w.order.done(cells)
	w.s.event("cells-written")
	return nil
}

// Commit completes the file with r's run (under the new version), clusters,
// region statistics and group index, syncs it and commits it as the current
// analysis of r's scope, which is read when first used; the analysis keeps the file open
// (see lazyAnalysis).
func (w *fileStream) Commit(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	if err := w.check(ctx); err != nil {
		return 0, err
	}
	if err := w.order.complete(); err != nil {
		return 0, w.end(err)
	}
	if err := checkClusterIDs(r.Clusters); err != nil {
		return 0, w.end(err)
	}
	if err := checkRun(&r.Run); err != nil {
		return 0, w.end(err)
	}
	// The cells go to disk before the writer lock is taken, so that other
	// writers wait only for the last part of the file to be synced.
	if err := w.e.flush(); err != nil {
		return 0, w.end(fmt.Errorf("memory: write analysis: %w", err))
	}
	if err := w.f.Sync(); err != nil {
		return 0, w.end(fmt.Errorf("memory: write analysis: %w", err))
	}
	var version int64
	err := w.s.write(ctx, func(next *state) (change, error) {
		version = next.version + 1
		run := r.Run
		run.Version = version
		cellsEnd := w.e.offset()
		encodeAnalysisTail(w.e, &run, r.Clusters, r.Regions)
		encodeGroupIndex(w.e, &w.index, cellsEnd)
		if err := w.finish(); err != nil {
			return change{}, fmt.Errorf("memory: write analysis: %w", err)
		}
		name := next.fileName("analysis")
		lazy, err := newLazyAnalysis(w.f, filepath.Join(w.s.dir, name))
		if err != nil {
			return change{}, fmt.Errorf("memory: write analysis: %w", err)
		}
		next.version = version
		next.replaceAnalysis(run, nil, lazy)
		return change{analysis: run.Scope.Norm(), analysisTemp: w.temp, analysisName: name}, nil
	})
	if err != nil {
		return 0, w.end(err)
	}
	w.f = nil // the committed analysis holds it now
	w.end(errCommitted)
	r.Run.Version = version
	return version, nil
}

// finish writes the checksum and syncs the temp file, which stays open
// for the committed analysis to read.
func (w *fileStream) finish() error {
	if err := w.e.finish(); err != nil {
		return err
	}
	return w.f.Sync()
}
