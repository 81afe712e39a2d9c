package memory

import (
	"runtime"
	"sync"
	"time"

	"github.com/kume-geo/kume"
)

// minPartRows is the fewest rows decodeRows gives one goroutine.
const minPartRows = 1 << 14

// decodeRows decodes the establishments of a table file into rows, their ids
// delta-coded from prev, on up to GOMAXPROCS goroutines, and leaves d after
// the last row. Opening a store decodes a million rows; the parts are
// decoded side by side: one pass skips over the rows (skipRow reads the
// same fields as decodeRow without keeping them) to find where each part
// starts and with what id before it, and each part is decoded as soon as
// its start is known. Each part must end where the next starts.
func decodeRows(d *decoder, rows []kume.Establishment, datasetID int64) error {
	n := len(rows)
	w := max(1, min(runtime.GOMAXPROCS(0), n/minPartRows))
	bound := func(i int) int { return i * n / w }
	type part struct {
		start, end int // body offsets
		prev       int64
		err        error
	}
	parts := make([]part, w)
	decode := func(p *part, lo, hi int) {
		pd := &decoder{s: d.s, off: p.start, version: d.version}
		var ts timeSlab
		prev := p.prev
		for i := lo; i < hi && pd.err == nil; i++ {
			prev = decodeRow(pd, &rows[i], prev, datasetID, &ts)
		}
		p.end, p.err = pd.off, pd.err
	}
	var wg sync.WaitGroup
	skip := &decoder{s: d.s, off: d.off, version: d.version}
	var prev int64
	launched := 0
	for i := range parts {
		if i > 0 {
			for j := bound(i - 1); j < bound(i) && skip.err == nil; j++ {
				prev = skipRow(skip, prev)
			}
			if skip.err != nil {
				break
			}
		}
		parts[i].start, parts[i].prev = skip.off, prev
		launched++
		if i == w-1 {
			decode(&parts[i], bound(i), bound(i+1))
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			decode(&parts[i], bound(i), bound(i+1))
		}()
	}
	wg.Wait()
	if launched < w {
		return errCorrupt
	}
	for i := range parts {
		if parts[i].err != nil {
			return parts[i].err
		}
		if i+1 < w && parts[i].end != parts[i+1].start {
			return errCorrupt
		}
	}
	d.off = parts[w-1].end
	return nil
}

// decodeRow decodes one establishment into r, its id the delta read plus
// prev, which it returns.
func decodeRow(d *decoder, r *kume.Establishment, prev, datasetID int64, ts *timeSlab) int64 {
	r.ID = prev + int64(d.uvarint())
	r.DatasetID = datasetID
	r.SourceID = d.str()
	r.Name = d.str()
	r.Kind = kume.Kind(d.str())
	r.Type = kume.InstitutionType(d.str())
	r.NACE = d.str()
	r.Employees = kume.Employees{Known: d.bool(), Low: d.int(), High: d.int()}
	r.Founded = d.optTimeIn(ts)
	r.Closed = d.optTimeIn(ts)
	r.Address = kume.Address{Street: d.str(), Postcode: d.str(), District: d.str(), Province: d.str(), Country: d.str()}
	r.Lon = d.f64()
	r.Lat = d.f64()
	r.Precision = kume.Precision(d.str())
	r.GeocodeSource = d.str()
	r.Cell = d.u64()
	r.Attrs = d.strMap()
	return r.ID
}

// skipRow reads the fields of one establishment as decodeRow does, keeping
// none, and returns its id.
func skipRow(d *decoder, prev int64) int64 {
	id := prev + int64(d.uvarint())
	for range 5 { // source id, name, kind, type, NACE
		d.skipStr()
	}
	d.bool()
	d.varint()
	d.varint()
	for range 2 { // founded, closed
		if d.bool() {
			d.varint()
			d.uvarint()
		}
	}
	for range 5 { // address
		d.skipStr()
	}
	d.u64() // lon
	d.u64() // lat
	d.skipStr()
	d.skipStr()
	d.u64() // cell
	for range d.count(2) {
		d.skipStr()
		d.skipStr()
	}
	return id
}

// skipStr reads a string without slicing it out.
func (d *decoder) skipStr() { d.off += d.count(1) }

// optTimeIn is optTime with the time kept in ts.
func (d *decoder) optTimeIn(ts *timeSlab) *time.Time {
	if !d.bool() {
		return nil
	}
	return ts.ptr(d.time())
}

// timeSlab hands out pointers to times stored in chunks, so that a
// million decoded dates are a few hundred allocations.
type timeSlab struct{ buf []time.Time }

// ptr returns a pointer to a copy of t.
func (s *timeSlab) ptr(t time.Time) *time.Time {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]time.Time, 0, 1024)
	}
	s.buf = append(s.buf, t)
	return &s.buf[len(s.buf)-1]
}
