package ingest

import (
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/geo"
)

// A source is read in three stages that run at the same time: one goroutine
// reads records, a few convert and index them (the work of a row that depends
// on no other row), and Run's own goroutine takes the converted rows in input
// order and does everything that depends on the rows before: duplicate ids,
// the extent for swapped coordinates, geocoding, rejects, progress and the
// batches for the store. Records travel in chunks, and only a few chunks are
// in flight at once, so memory stays bounded whatever the input's size.

// chunkRows is the number of records per chunk.
const chunkRows = 512

// item is one record read, with its conversion once a worker has done it.
type item struct {
	rec *record // nil when the reader returned no record
	err error   // from the reader: a *RowError for a bad record, anything else ends the source

	// Set by a worker when err is nil.
	e       kume.Establishment
	state   coordState
	re      *RowError
	idHash  uint64
	idKnown bool
	nat     natCode
	cell    indexed // the H3 cell of e when state is coordOK
}

// indexed is a point's H3 cell at kume.BaseResolution, or why it has none.
type indexed struct {
	done bool
	cell uint64
	err  error
}

// index computes the cell of lon/lat.
func index(lon, lat float64) indexed {
	c, err := geo.CellOf(lon, lat, kume.BaseResolution)
	return indexed{done: true, cell: c, err: err}
}

// chunk is a run of consecutive records; ready is closed once every item is
// converted.
type chunk struct {
	items []item
	ready chan struct{}
}

// readAhead is the reading and converting stages of one source.
type readAhead struct {
	chunks <-chan *chunk // in input order
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startReadAhead starts reading rr and converting its records with cv.
func startReadAhead(ctx context.Context, rr rowReader, cv *converter) *readAhead {
	ctx, cancel := context.WithCancel(ctx)
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	ra := &readAhead{chunks: order, cancel: cancel}
	ra.wg.Go(func() {
		defer close(order)
		defer close(work)
		readChunks(ctx, rr, work, order)
	})
	for range workers {
		ra.wg.Go(func() {
			wcv := *cv
			wcv.nace = newNACECache(cv.nace)
			for ch := range work {
				for i := range ch.items {
					if it := &ch.items[i]; it.err == nil {
						wcv.prepare(it)
					}
				}
				close(ch.ready)
			}
		})
	}
	return ra
}

// stop ends the stages early (when the source is not read to its end) and
// waits until they have ended, so that the source is no longer read.
func (ra *readAhead) stop() {
	ra.cancel()
	for range ra.chunks {
	}
	ra.wg.Wait()
}

// readChunks reads records into chunks and hands each to the workers and, in
// order, to the consumer, until the end of the source, an error that ends
// it, or ctx's end.
func readChunks(ctx context.Context, rr rowReader, work, order chan<- *chunk) {
	for {
		ch := &chunk{items: make([]item, 0, chunkRows), ready: make(chan struct{})}
		end := false
		for len(ch.items) < chunkRows && !end {
			if ctx.Err() != nil {
				return
			}
			rec, err := rr.next()
			if err == io.EOF {
				end = true
				break
			}
			it := item{err: err}
			if rec != nil {
				// The reader may reuse its record and values slice.
				cp := *rec
				cp.values = slices.Clone(rec.values)
				it.rec = &cp
			}
			var re *RowError
			end = err != nil && (errors.Is(err, errBomb) || !errors.As(err, &re))
			ch.items = append(ch.items, it)
		}
		if len(ch.items) > 0 {
			select {
			case work <- ch:
			case <-ctx.Done():
				return
			}
			select {
			case order <- ch:
			case <-ctx.Done():
				return
			}
		}
		if end {
			return
		}
	}
}

// prepare converts an item's record and indexes its point.
func (cv *converter) prepare(it *item) {
	cv.convert(it)
	if it.re == nil && it.state == coordOK {
		it.cell = index(it.e.Lon, it.e.Lat)
	}
}
