package geo

import (
	"context"
	"sync/atomic"

	"github.com/kume-geo/kume"
)

// CellSink takes the cell statistics of a run as they are computed, so that
// a run of millions of rows need not hold them all (see AnalyzeTo).
type CellSink interface {
	// Begin is called once, before the first batch, with the number of rows
	// the run will write.
	Begin(rows int) error
	// Write takes one batch. Over a run the batches come ordered by
	// (resolution, sector, cell), each row once. The batch's memory, and the
	// LQ and Gi* values its rows point to, are reused once Write returns;
	// institution counts are not.
	Write(cells []kume.CellStat) error
}

// collector is the CellSink of Analyze: it keeps every row in one slice.
type collector struct{ cells []kume.CellStat }

func (c *collector) Begin(rows int) error {
	c.cells = make([]kume.CellStat, 0, rows)
	return nil
}

func (c *collector) Write(cells []kume.CellStat) error {
	// The values the rows point to are the pipe's: copy them out.
	fl := make([]float64, 0, 3*len(cells))
	own := func(v *float64) *float64 {
		if v == nil {
			return nil
		}
		fl = append(fl, *v)
		return &fl[len(fl)-1]
	}
	for _, r := range cells {
		r.LQ, r.GiZ, r.GiP = own(r.LQ), own(r.GiZ), own(r.GiP)
		c.cells = append(c.cells, r)
	}
	return nil
}

// rowBatch is a buffer of rows and of the LQ, GiZ and GiP values they point to,
// three per row.
type rowBatch struct {
	rows   []kume.CellStat
	floats []float64
}

// pipe hands filled batches to a CellSink on its own goroutine, so that the
// next batch is computed while the sink stores the last one. It owns two
// buffers: a batch is filled in one while the sink reads the other.
type pipe struct {
	sink CellSink
	free chan rowBatch
	full chan rowBatch
	done chan error
	bad  atomic.Pointer[error] // the sink's first error, as soon as it happens
	err  error                 // the sink's first error, once done
}

// newPipe starts the sink's goroutine with buffers of size rows.
func newPipe(sink CellSink, size int) *pipe {
	p := &pipe{sink: sink, free: make(chan rowBatch, 2), full: make(chan rowBatch, 1), done: make(chan error, 1)}
	for range 2 {
		p.free <- rowBatch{make([]kume.CellStat, size), make([]float64, 3*size)}
	}
	go func() {
		var err error
		for b := range p.full {
			if err == nil {
				if err = p.sink.Write(b.rows); err != nil {
					p.bad.Store(&err)
				}
			}
			p.free <- rowBatch{b.rows[:cap(b.rows)], b.floats[:cap(b.floats)]}
		}
		p.done <- err
	}()
	return p
}

// get returns a buffer of n rows (at most the pipe's size) once the sink is
// done with it, or the sink's error.
func (p *pipe) get(ctx context.Context, n int) (rowBatch, error) {
	if e := p.bad.Load(); e != nil {
		return rowBatch{}, *e
	}
	select {
	case b := <-p.free:
		return rowBatch{b.rows[:n], b.floats[:3*n]}, nil
	case <-ctx.Done():
		return rowBatch{}, ctx.Err()
	}
}

// put hands a filled buffer to the sink.
func (p *pipe) put(b rowBatch) {
	if len(b.rows) == 0 {
		p.free <- b
		return
	}
	p.full <- b
}

// close waits for the sink to take every batch and returns its first error.
// It may be called more than once.
func (p *pipe) close() error {
	if p.full != nil {
		close(p.full)
		p.err = <-p.done
		p.full = nil
	}
	return p.err
}
