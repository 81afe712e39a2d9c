package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
)

var _ kume.AnalysisStreamer = (*Store)(nil)

// BeginAnalysis starts saving an analysis of the given number of cell
// statistics batch by batch (kume.AnalysisStreamer).
//
// A persisted store writes the analysis file as the cells arrive, into a temp
// file that Commit completes, syncs and renames before it commits the
// MANIFEST, as any other write: a crash at any point leaves the previous
// state, and the next Open removes the temp file. The committed analysis is
// decoded when first read, as after Open. A store without a data directory
// copies the cells of every batch (the caller may reuse its buffers) and
// indexes them at Commit as saveOwned does.
//
// One analysis is streamed at a time: BeginAnalysis while another stream is
// open fails with ECONFLICT (it does not wait: the caller of the open stream
// may be the one asking). Other writes go on during a stream; the stream
// takes the writer lock only to commit. Any error of WriteCells or Commit
// ends the stream, removing what it wrote; Abort is then a no-op, and the
// store can begin another. An AnalysisWriter is for one goroutine.
func (s *Store) BeginAnalysis(ctx context.Context, cells int) (kume.AnalysisWriter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cells < 0 {
		return nil, kume.Errorf(kume.EINVALID, "a stream of %d cell statistics", cells)
	}
	if s.closed.Load() {
		return nil, kume.Errorf(kume.EUNAVAILABLE, "the store is closed")
	}
	if s.readOnly != "" {
		return nil, s.readOnlyError()
	}
	if !s.streaming.CompareAndSwap(false, true) {
		return nil, kume.Errorf(kume.ECONFLICT, "another analysis is being saved")
	}
	st := streamState{s: s, order: cellOrder{want: cells}}
	if s.dir == "" {
		return newMemStream(st), nil
	}
	w, err := s.beginFileStream(st)
	if err != nil {
		s.streaming.Store(false)
		return nil, fmt.Errorf("memory: begin analysis: %w", err)
	}
	return w, nil
}

// Reasons a stream ended without an error of its own.
var (
	errCommitted = errors.New("committed")
	errAborted   = errors.New("aborted")
)

// streamState is what both kinds of analysis stream share: the store, the
// order check and how the stream ended.
type streamState struct {
	s     *Store
	order cellOrder
	// ended is why the stream ended (errCommitted, errAborted or the error
	// that failed it); nil while it is open.
	ended error
	// cleanup discards what the stream holds; it runs once, when the
	// stream ends.
	cleanup func()
}

// check returns an error if the stream has ended or ctx is done (which ends
// it).
func (w *streamState) check(ctx context.Context) error {
	if w.ended != nil {
		return kume.Errorf(kume.ECONFLICT, "the analysis stream has ended (%v)", w.ended)
	}
	if err := ctx.Err(); err != nil {
		return w.end(err)
	}
	return nil
}

// end ends the stream with why, unless it has ended already: it discards
// what the stream holds (except after a commit) and frees the store for the
// next stream. It returns why.
func (w *streamState) end(why error) error {
	if w.ended != nil {
		return why
	}
	w.ended = why
	if why != errCommitted && w.cleanup != nil {
		w.cleanup()
	}
	w.s.streaming.Store(false)
	return why
}

// Abort discards the stream; after Commit or an error it does nothing.
func (w *streamState) Abort() { w.end(errAborted) }

// cellOrder checks the cells of a stream: strictly increasing in
// (resolution, sector, cell) across all batches, and as many as announced.
type cellOrder struct {
	want, got int
	last      kume.CellStat // Res, Sector and Cell of the last row so far
}

// add checks a batch and counts it.
func (o *cellOrder) add(cells []kume.CellStat) error {
	if err := o.room(len(cells)); err != nil {
		return err
	}
	for i := range cells {
		if err := o.check(cells, i); err != nil {
			return err
		}
	}
	o.done(cells)
	return nil
}

// room reports an error if a batch of n rows brings more than announced.
func (o *cellOrder) room(n int) error {
	if n > o.want-o.got {
		return kume.Errorf(kume.EINVALID, "%d cell statistics written, more than the %d announced", o.got+n, o.want)
	}
	return nil
}

// check reports an error unless row i of a batch is a valid H3 cell of its
// resolution and comes after the row before it (the last of the batches
// before for i == 0).
func (o *cellOrder) check(cells []kume.CellStat, i int) error {
	if c := &cells[i]; !kume.IsCellOf(c.Cell, c.Res) {
		return kume.Errorf(kume.EINVALID, "cell statistic %d: cell %x is not a valid H3 cell of resolution %d",
			o.got+i, c.Cell, c.Res)
	}
	prev := &o.last
	if i > 0 {
		prev = &cells[i-1]
	} else if o.got == 0 {
		return nil
	}
	if c := &cells[i]; compareCells(prev, c) >= 0 {
		return kume.Errorf(kume.EINVALID,
			"cell statistic %d (resolution %d, sector %q, cell %x) is not after the one before in (resolution, sector, cell) order",
			o.got+i, c.Res, c.Sector, c.Cell)
	}
	return nil
}

// done counts a checked batch.
func (o *cellOrder) done(cells []kume.CellStat) {
	if n := len(cells); n > 0 {
		c := &cells[n-1]
		sector := o.last.Sector
		if c.Sector != sector || o.got == 0 {
			sector = strings.Clone(c.Sector) // the caller's memory is not kept
		}
		o.last = kume.CellStat{Res: c.Res, Sector: sector, Cell: c.Cell}
		o.got += n
	}
}

// complete reports an error unless every announced cell has been written.
func (o *cellOrder) complete() error {
	if o.got != o.want {
		return kume.Errorf(kume.EINVALID, "%d cell statistics written, %d announced", o.got, o.want)
	}
	return nil
}

// checkClusterIDs reports a cluster id that appears twice (EINVALID), which
// the analysis would reject when it is decoded.
func checkClusterIDs(clusters []kume.Cluster) error {
	ids := make([]string, len(clusters))
	for i, c := range clusters {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			return kume.Errorf(kume.EINVALID, "cluster id %q appears twice", ids[i])
		}
	}
	return nil
}
