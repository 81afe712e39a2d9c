package analysis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/internal/teststores"
)

// streamingStore is a store whose analyses are saved through a recording
// AnalysisWriter around its own, which can be told to fail.
type streamingStore struct {
	kume.Store
	w *recWriter
}

func (s *streamingStore) BeginAnalysis(ctx context.Context, cells int) (kume.AnalysisWriter, error) {
	w, err := s.Store.BeginAnalysis(ctx, cells)
	if err != nil {
		return nil, err
	}
	s.w.AnalysisWriter, s.w.announced = w, cells
	return s.w, nil
}

// recWriter records what goes through the store's writer, and fails the
// writes when failWrite is set.
type recWriter struct {
	kume.AnalysisWriter
	announced int
	written   int
	batches   int
	failWrite bool
	committed bool
	aborted   bool
}

var errFull = errors.New("disk full")

func (w *recWriter) WriteCells(ctx context.Context, cells []kume.CellStat) error {
	if w.failWrite {
		return errFull
	}
	w.batches++
	w.written += len(cells)
	return w.AnalysisWriter.WriteCells(ctx, cells)
}

func (w *recWriter) Commit(ctx context.Context, r *kume.AnalysisResult) (int64, error) {
	if len(r.Cells) != 0 {
		return 0, errors.New("Commit got cells besides the stream")
	}
	w.committed = true
	return w.AnalysisWriter.Commit(ctx, r)
}

func (w *recWriter) Abort() {
	if !w.committed {
		w.aborted = true
	}
	w.AnalysisWriter.Abort()
}

// TestRunStreamsToAStreamingStore checks that the store gets every cell
// statistic through its writer, and that the count is reported.
func TestRunStreamsToAStreamingStore(t *testing.T) {
	teststores.Run(t, testRunStreamsToAStreamingStore)
}

func testRunStreamsToAStreamingStore(t *testing.T, kind teststores.Kind) {
	mem := teststores.Open(t, kind)
	st := &streamingStore{Store: mem, w: &recWriter{}}
	fill(t, st, "public", kume.Public, 60, 29.0, 41.0)
	r := newRunner(t, st, analysis.Config{})
	res, err := r.Run(context.Background(), kume.AnalysisPublic)
	if err != nil {
		t.Fatal(err)
	}
	w := st.w
	if !w.committed || w.aborted || w.batches == 0 {
		t.Fatalf("committed %v, aborted %v, %d batches", w.committed, w.aborted, w.batches)
	}
	if w.written != w.announced || r.Status().Cells != w.announced || w.announced == 0 {
		t.Errorf("%d cells written, %d announced, status counts %d", w.written, w.announced, r.Status().Cells)
	}
	cs, err := mem.CellStats(context.Background(), kume.CellFilter{Res: 9})
	if err != nil || len(cs) == 0 {
		t.Errorf("no cell statistics at res 9 after a streamed run (%v)", err)
	}
	if res.Run.Version != r.Status().Version {
		t.Errorf("run version %d, status version %d", res.Run.Version, r.Status().Version)
	}
}

// TestRunAbortsAFailedStream checks that a writer's error fails the run,
// aborts the stream and leaves no new version.
func TestRunAbortsAFailedStream(t *testing.T) { teststores.Run(t, testRunAbortsAFailedStream) }

func testRunAbortsAFailedStream(t *testing.T, kind teststores.Kind) {
	mem := teststores.Open(t, kind)
	st := &streamingStore{Store: mem, w: &recWriter{failWrite: true}}
	fill(t, st, "public", kume.Public, 60, 29.0, 41.0)
	before, _ := mem.DataVersion(context.Background())
	r := newRunner(t, st, analysis.Config{})
	if _, err := r.Run(context.Background(), kume.AnalysisPublic); !errors.Is(err, errFull) {
		t.Fatalf("run error %v, want the writer's", err)
	}
	if !st.w.aborted || st.w.committed {
		t.Errorf("aborted %v, committed %v", st.w.aborted, st.w.committed)
	}
	if after, _ := mem.DataVersion(context.Background()); after != before {
		t.Errorf("data version %d after a failed run, was %d", after, before)
	}
	if _, err := mem.LatestAnalysis(context.Background()); kume.ErrorCode(err) != kume.ENOTFOUND {
		t.Errorf("an analysis was saved by a failed run: %v", err)
	}
}
