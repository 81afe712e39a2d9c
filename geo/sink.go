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
	// (resolution, sector, cell), each row once. The batch's memory is reused
	// once Write returns; what its rows point to (LQ, Gi* values and
	// institution counts) is not.
	Write(cells []kume.CellStat) error
}

// collector is the CellSink of Analyze: it keeps every row in one slice.
type collector struct{ cells []kume.CellStat }

func (c *collector) Begin(rows int) error {
	c.cells = make([]kume.CellStat, 0, rows)
	return nil
}

func (c *collector) Write(cells []kume.CellStat) error {
	c.cells = append(c.cells, cells...)
	return nil
}

// pipe hands filled batches to a CellSink on its own goroutine, so that the
// next batch is computed while the sink stores the last one. It owns two
// buffers: a batch is filled in one while the sink reads the other.
type pipe struct {
	sink CellSink
	free chan []kume.CellStat
	full chan []kume.CellStat
	done chan error
	bad  atomic.Pointer[error] // the sink's first error, as soon as it happens
	err  error                 // the sink's first error, once done
}

// newPipe starts the sink's goroutine with buffers of size rows.
func newPipe(sink CellSink, size int) *pipe {
	p := &pipe{sink: sink, free: make(chan []kume.CellStat, 2), full: make(chan []kume.CellStat, 1), done: make(chan error, 1)}
	for range 2 {
		p.free <- make([]kume.CellStat, size)
	}
	go func() {
		var err error
		for b := range p.full {
			if err == nil {
				if err = p.sink.Write(b); err != nil {
					p.bad.Store(&err)
				}
			}
			p.free <- b[:cap(b)]
		}
		p.done <- err
	}()
	return p
}

// get returns a buffer of n rows (at most the pipe's size) once the sink is
// done with it, or the sink's error.
func (p *pipe) get(ctx context.Context, n int) ([]kume.CellStat, error) {
	if e := p.bad.Load(); e != nil {
		return nil, *e
	}
	select {
	case b := <-p.free:
		return b[:n], nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put hands a filled buffer to the sink.
func (p *pipe) put(b []kume.CellStat) {
	if len(b) == 0 {
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
