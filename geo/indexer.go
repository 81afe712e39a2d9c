package geo

import (
	"runtime"
	"sync"

	"github.com/paulmach/orb"
)

// indexBatch is the number of points handed to an indexing worker at once.
const indexBatch = 1 << 15

// batch is a run of points to index at the base resolution and to place in
// the polygon region levels.
type batch struct {
	pts     []orb.Point
	cells   []uint64  // known cell (0: to index), then the result
	who     []int32   // firm index (>=0) or ^inst index (<0) per point
	regions [][]int32 // per region level: region per point (polygon levels only)
}

// indexer indexes points on GOMAXPROCS workers while the caller is still
// reading establishments, so that reading and indexing overlap.
type indexer struct {
	rg   *regionIndex
	base int
	cur  *batch
	done []*batch
	work chan *batch
	wg   sync.WaitGroup
	once sync.Once
}

func newIndexer(rg *regionIndex, base int) *indexer {
	ix := &indexer{rg: rg, base: base, work: make(chan *batch, 4)}
	for w := runtime.GOMAXPROCS(0); w > 0; w-- {
		ix.wg.Add(1)
		go func() {
			defer ix.wg.Done()
			for b := range ix.work {
				ix.index(b)
			}
		}()
	}
	return ix
}

// add queues one point; cell is its base cell when already known, else 0.
func (ix *indexer) add(pt orb.Point, cell uint64, who int32) {
	b := ix.cur
	if b == nil {
		b = &batch{pts: make([]orb.Point, 0, indexBatch), cells: make([]uint64, 0, indexBatch), who: make([]int32, 0, indexBatch)}
		ix.cur = b
	}
	b.pts = append(b.pts, pt)
	b.cells = append(b.cells, cell)
	b.who = append(b.who, who)
	if len(b.pts) == indexBatch {
		ix.flush()
	}
}

func (ix *indexer) flush() {
	if b := ix.cur; b != nil && len(b.pts) > 0 {
		ix.done = append(ix.done, b)
		ix.work <- b
	}
	ix.cur = nil
}

// stop ends the workers; it is safe to call more than once.
func (ix *indexer) stop() {
	ix.once.Do(func() {
		close(ix.work)
		ix.wg.Wait()
	})
}

// index computes the cells and polygon regions of one batch.
func (ix *indexer) index(b *batch) {
	rg := ix.rg
	b.regions = make([][]int32, len(rg.levels))
	for l := range rg.levels {
		if rg.polygonal(l) {
			b.regions[l] = make([]int32, len(b.pts))
		}
	}
	for i, pt := range b.pts {
		if b.cells[i] == 0 {
			if c, err := CellOf(pt[0], pt[1], ix.base); err == nil {
				b.cells[i] = c
			}
		}
		for l, r := range b.regions {
			if r != nil {
				r[i] = rg.locate(l, pt)
			}
		}
	}
}

// finish waits for the workers and writes the results into d.
func (ix *indexer) finish(d *data) {
	ix.flush()
	ix.stop()
	for _, b := range ix.done {
		for i, k := range b.who {
			if k >= 0 {
				d.firms[k].cell = b.cells[i]
			} else {
				d.insts[^k].cell = b.cells[i]
			}
			for l, r := range b.regions {
				if r == nil {
					continue
				}
				if k >= 0 {
					d.regions[l][k] = r[i]
				} else {
					d.insts[^k].region[l] = r[i]
				}
			}
		}
	}
	ix.done = nil
}
