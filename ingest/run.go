package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// Run imports the sources into the dataset opts.Dataset in one transaction
// and reports what it read and changed. Rows are read as a stream, validated,
// reprojected, geocoded when they have no coordinates and handed to the store
// in batches of opts.BatchSize. With OnError abort (the default) any invalid
// row makes Run write nothing and return an EINVALID error together with the
// summary of what was found; with skip the valid rows are imported. A source
// that cannot be read at all (empty, only a header, an unknown format) is an
// error in both modes. progress may be nil.
func Run(ctx context.Context, st Store, srcs []Source, opts Options, progress Progress) (Summary, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return Summary{Dataset: opts.Dataset}, err
	}
	start := o.Now()
	r := &runner{o: o, progress: progress, sum: Summary{Dataset: o.Dataset, DryRun: o.DryRun,
		Geocoded: GeocodeStats{ByPrecision: map[string]int{}}}, rejects: newRejectWriter(o.Rejects)}
	if r.mp, err = newMapper(o.Mapping); err != nil {
		return r.sum, kume.Errorf(kume.EINVALID, "%v", err)
	}
	if r.crs, err = parseCRSOption(o.CRS); err != nil {
		return r.sum, err
	}
	if o.NACE == nil {
		tax, err := nace.New()
		if err != nil {
			return r.sum, fmt.Errorf("ingest: NACE taxonomy: %w", err)
		}
		o.NACE = tax
	}
	if len(srcs) == 0 {
		return r.sum, kume.Errorf(kume.EINVALID, "no input")
	}
	if !o.DryRun {
		if err := r.begin(ctx, st); err != nil {
			return r.sum, err
		}
		defer func() { _ = r.imp.Rollback(context.WithoutCancel(ctx)) }()
	}
	for _, src := range srcs {
		if err := r.source(ctx, src, o.NACE); err != nil {
			return r.finish(start), err
		}
	}
	for len(r.pending) > 0 {
		if err := r.decideOldest(ctx); err != nil {
			return r.finish(start), err
		}
	}
	if err := r.flush(ctx); err != nil {
		return r.finish(start), err
	}
	if err := r.rejects.flush(); err != nil {
		return r.finish(start), fmt.Errorf("ingest: writing rejects: %w", err)
	}
	sum := r.finish(start)
	switch {
	case r.sum.Rejected > 0 && o.OnError == Abort:
		return sum, kume.Errorf(kume.EINVALID, "%d of %d rows rejected; nothing imported (fix them, or import the valid rows with on-error skip)", sum.Rejected, sum.Read)
	case r.accepted == 0:
		return sum, kume.Errorf(kume.EINVALID, "no valid rows; nothing imported")
	case o.DryRun:
		return sum, nil
	}
	stats, err := r.imp.Commit(ctx)
	if err != nil {
		return sum, fmt.Errorf("ingest: commit: %w", err)
	}
	sum.Inserted, sum.Updated, sum.Unchanged, sum.Closed = stats.Inserted, stats.Updated, stats.Unchanged, stats.Closed
	sum.Seconds = o.Now().Sub(start).Seconds()
	return sum, nil
}

// runner is the state of one Run.
type runner struct {
	o        Options
	mp       *mapper
	crs      CRS
	progress Progress
	imp      kume.Importer
	sum      Summary
	rejects  *rejectWriter
	accepted int
	batch    []kume.Establishment
	ext      Extent
	pending  []pendingRow
	unread   int     // rows read since the last progress report
	ids      idIndex // the ids taken so far, shared by all sources
}

// finish reports the last progress and returns the summary so far.
func (r *runner) finish(start time.Time) Summary {
	r.reportProgress(true)
	r.sum.Seconds = r.o.Now().Sub(start).Seconds()
	return r.sum
}

// begin finds or creates the dataset and starts the transaction.
func (r *runner) begin(ctx context.Context, st Store) error {
	if st == nil {
		return errors.New("ingest: no store")
	}
	ds, err := st.DatasetByName(ctx, r.o.Dataset)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		d := r.o.NewDataset
		d.ID, d.Name = 0, r.o.Dataset
		if err = st.CreateDataset(ctx, &d); err == nil {
			ds = &d
		}
	}
	if err != nil {
		return fmt.Errorf("ingest: dataset %q: %w", r.o.Dataset, err)
	}
	at := r.o.ReplaceAt
	if at.IsZero() {
		at = r.o.Now()
	}
	r.imp, err = st.BeginImport(ctx, ds.ID, kume.ImportOptions{Replace: r.o.Replace, ReplaceAt: at})
	if err != nil {
		return fmt.Errorf("ingest: begin import: %w", err)
	}
	return nil
}

// source reads one source to the end.
func (r *runner) source(ctx context.Context, src Source, coder SectorCoder) error {
	name := src.Name
	if name == "" {
		name = "-"
	}
	rr, err := newRowReader(src, &r.o, r.mp)
	if errors.Is(err, errEmpty) {
		return kume.Errorf(kume.EINVALID, "%s: the input is empty", name)
	} else if err != nil {
		return kume.Errorf(kume.EINVALID, "%s: %v", name, err)
	}
	crs := r.crs
	if c := rr.crs(); c != nil {
		if r.o.CRS != "" && c.Code != r.crs.Code {
			return kume.Errorf(kume.EINVALID, "%s: the GeoJSON crs member says %s but the import was told %s", name, c, r.crs)
		}
		crs = *c
	}
	cv := &converter{kind: r.o.Kind, crs: crs, closedAt: r.o.ClosedAt, precision: r.o.Precision,
		nace: coder, lim: r.o.Limits}
	ra := startReadAhead(ctx, rr, cv)
	defer ra.stop()
	rows := 0
	var lastHeader []string
	for ch := range ra.chunks {
		select {
		case <-ch.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		for i := range ch.items {
			if err := ctx.Err(); err != nil {
				return err
			}
			it := &ch.items[i]
			rec, err := it.rec, it.err
			var re *RowError
			if errors.Is(err, errBomb) {
				return kume.Errorf(kume.EINVALID, "%s: %v", name, err)
			}
			if err != nil && !errors.As(err, &re) {
				// The rest of the source cannot be read: one reject for it.
				r.sum.Read++
				rows++
				if err := r.reject(name, lastHeader, nil, Reject{Line: lineOf(rec), Reason: err.Error() + "; the rest of the input is not read"}); err != nil {
					return err
				}
				break
			}
			r.sum.Read++
			rows++
			r.reportProgress(false)
			if re != nil {
				if err := r.rejectRecord(name, rec, Reject{Line: re.Line, Column: re.Column, Reason: re.Reason}); err != nil {
					return err
				}
				continue
			}
			lastHeader = rec.header
			if err := r.row(ctx, name, cv, it); err != nil {
				return err
			}
		}
	}
	if rows == 0 {
		if _, ok := rr.(*csvRows); ok {
			return kume.Errorf(kume.EINVALID, "%s: the file has a header but no rows", name)
		}
		return kume.Errorf(kume.EINVALID, "%s: no features", name)
	}
	return nil
}
