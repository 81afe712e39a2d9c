package ingest

import (
	"context"
	"fmt"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// row validates, geocodes and batches one converted record. fc is the
// source's whole-file check, nil when there is none.
func (r *runner) row(ctx context.Context, fc *fileCheck, name string, cv *converter, it *item) error {
	rec, state := it.rec, it.state
	if re := r.claimID(rec, it); re != nil {
		return r.rejectRecord(name, rec, Reject{Line: re.Line, Column: re.Column, Reason: re.Reason})
	}
	p := pendingRow{e: it.e, file: fc, source: name, line: rec.line, header: rec.header, values: rec.values, nat: it.nat}
	switch state {
	case coordMissing:
		reason, err := r.geocode(ctx, &p.e)
		if err != nil {
			return err
		}
		if reason != "" {
			return r.rejectRecord(name, rec, Reject{Line: rec.line, Column: coordColumn(rec), Reason: reason})
		}
		p.file = nil // placed by its address: the file check is about the given coordinates
		return r.accept(ctx, &p, rec.raw)
	case coordInvalid, coordOK:
		p.invalid, p.cell = state == coordInvalid, it.cell
		if cv.crs.Geographic() {
			if !p.invalid {
				r.ext.Add(p.e.Lon, p.e.Lat)
			}
			if swapCandidate(p.e.Lon, p.e.Lat) {
				return r.hold(ctx, rec, p)
			}
		} else {
			p.file = nil
		}
		if p.invalid {
			return r.rejectRecord(name, rec, Reject{Line: rec.line, Column: coordColumn(rec), Reason: rangeReason(p.e.Lon, p.e.Lat)})
		}
		return r.accept(ctx, &p, rec.raw)
	}
	p.file = nil
	return r.accept(ctx, &p, rec.raw)
}

// claimID takes the row's id for it, in the order of the rows: it returns the
// row's error, a duplicate id taking precedence over the errors found after
// the id (see converter.convert), or nil once the id is taken.
func (r *runner) claimID(rec *record, it *item) *RowError {
	if !it.idKnown {
		return it.re
	}
	if first, dup := r.ids.lookup(it.idHash); dup {
		col := ""
		if i := rec.cols.idx[FieldID]; i >= 0 {
			col = rec.header[i]
		}
		return &RowError{Line: rec.line, Column: col, Reason: fmt.Sprintf("duplicate id %q (first at line %d)", it.e.SourceID, first)}
	}
	if it.re != nil {
		return it.re
	}
	r.ids.add(it.idHash, int32(rec.line))
	return nil
}

// geocode places a row without coordinates; it returns the reason when it
// cannot.
func (r *runner) geocode(ctx context.Context, e *kume.Establishment) (string, error) {
	q := queryOf(e)
	if q.Empty() {
		return "missing coordinates and no address to geocode", nil
	}
	if r.o.Geocoder == nil {
		return fmt.Sprintf("missing coordinates, and no geocoder to place the address (%s): load regions (kume regions import) or give a geocoder URL", describe(q)), nil
	}
	res, ok, err := r.o.Geocoder.Geocode(ctx, q)
	if err != nil {
		return "", fmt.Errorf("ingest: geocoding: %w", err)
	}
	if !ok {
		return fmt.Sprintf("missing coordinates, and the address (%s) was not found", describe(q)), nil
	}
	e.Lon, e.Lat, e.Precision, e.GeocodeSource = res.Lon, res.Lat, res.Precision, res.Source
	r.sum.Geocoded.ByPrecision[string(res.Precision)]++
	return "", nil
}

func describe(q Query) string {
	s := ""
	for _, p := range []string{q.Street, q.Postcode, q.District, q.Province, q.Country} {
		if p != "" {
			if s != "" {
				s += ", "
			}
			s += p
		}
	}
	return truncate(s, 120)
}

// hold keeps a row for the swapped-coordinates decision, deciding the oldest
// held row first when the buffer is full.
func (r *runner) hold(ctx context.Context, rec *record, p pendingRow) error {
	if len(r.pending) >= r.o.Limits.MaxPending {
		if err := r.decideOldest(ctx); err != nil {
			return err
		}
	}
	p.latCol = coordColumn(rec)
	if rec.raw != nil {
		p.header, p.values = []string{"feature"}, []string{string(rec.raw)}
	}
	// rec.values is the item's own copy (see readChunks): no other row uses it.
	r.pending = append(r.pending, p)
	return nil
}

// decideOldest decides the oldest held-back row.
func (r *runner) decideOldest(ctx context.Context) error {
	p := r.pending[0]
	r.pending[0] = pendingRow{}
	r.pending = r.pending[1:]
	reason, swapped := r.ext.decide(&p)
	if reason != "" {
		if swapped {
			r.sum.Swapped++
		}
		return r.reject(p.source, p.header, p.values, Reject{Line: p.line, Column: p.latCol, Reason: reason})
	}
	return r.accept(ctx, &p, nil)
}

// accept indexes a valid row (unless p.cell already holds its index), counts
// it and adds it to the batch. raw is the GeoJSON feature of the row, nil for
// CSV and for a held row (whose values hold the feature).
func (r *runner) accept(ctx context.Context, p *pendingRow, raw []byte) error {
	e := p.e
	cell := p.cell
	if !cell.done {
		cell = index(e.Lon, e.Lat)
	}
	if err := cell.err; err != nil {
		rj := Reject{Line: p.line, Reason: fmt.Sprintf("cannot index the point: %v", err)}
		if raw != nil {
			return r.reject(p.source, []string{"feature"}, []string{string(raw)}, rj)
		}
		return r.reject(p.source, p.header, p.values, rj)
	}
	e.Cell = cell.cell
	r.accepted++
	if e.NACE == "" && e.Kind == kume.KindFirm {
		r.sum.UnknownSector++
	}
	if p.nat.variant != nace.Rev2 {
		n := r.national[p.nat.variant]
		if n == nil {
			n = &NationalCodes{Variant: string(p.nat.variant), Description: p.nat.variant.Describe(), Example: p.nat.raw, ExampleClass: p.nat.code}
			r.national[p.nat.variant] = n
		}
		n.Rows++
	}
	if p.file != nil {
		p.file.count(r.o.Areas, e.Lon, e.Lat)
	}
	if r.o.DryRun || (r.sum.Rejected > 0 && r.o.OnError == Abort) {
		return nil // nothing will be written
	}
	if r.batch == nil {
		r.batch = make([]kume.Establishment, 0, r.o.BatchSize)
	}
	r.batch = append(r.batch, e)
	if len(r.batch) >= r.o.BatchSize {
		return r.flush(ctx)
	}
	return nil
}

// flush hands the batch to the importer. A new slice is used for the next
// batch, since a store may keep the rows it was given.
func (r *runner) flush(ctx context.Context) error {
	if len(r.batch) == 0 || r.imp == nil || (r.sum.Rejected > 0 && r.o.OnError == Abort) {
		r.batch = r.batch[:0]
		return nil
	}
	if err := r.imp.Add(ctx, r.batch); err != nil {
		return fmt.Errorf("ingest: adding rows: %w", err)
	}
	r.batch = nil
	return nil
}

// rejectRecord rejects a record, writing its original row.
func (r *runner) rejectRecord(name string, rec *record, rj Reject) error {
	if rec != nil && rec.raw != nil {
		return r.reject(name, []string{"feature"}, []string{string(rec.raw)}, rj)
	}
	if rec == nil {
		return r.reject(name, nil, nil, rj)
	}
	return r.reject(name, rec.header, rec.values, rj)
}

// reject counts and reports a rejected row.
func (r *runner) reject(name string, header, values []string, rj Reject) error {
	rj.Source = name
	r.sum.Rejected++
	if len(r.sum.Rejects) < MaxReportedRejects {
		r.sum.Rejects = append(r.sum.Rejects, rj)
	}
	if r.o.OnReject != nil {
		r.o.OnReject(rj)
	}
	if err := r.rejects.write(header, values, rj); err != nil {
		return fmt.Errorf("ingest: writing rejects: %w", err)
	}
	return nil
}

func lineOf(rec *record) int {
	if rec == nil {
		return 0
	}
	return rec.line
}

// reportProgress tells the progress bar about the rows read, every 1000 rows
// or, when final, whatever is left.
func (r *runner) reportProgress(final bool) {
	if !final {
		r.unread++
	}
	if r.progress != nil && (r.unread >= 1000 || (final && r.unread > 0)) {
		_ = r.progress.Add(r.unread)
		r.unread = 0
	}
}
