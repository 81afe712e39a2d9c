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
// that cannot be read at all (empty, only a header, an unknown format), or
// whose latitude and longitude columns appear swapped as a whole, is an error
// in both modes. A dataset that does not exist is created by the import's
// transaction, so that nothing of it is left when the import fails. A dry
// run with a store makes the same decisions without writing. progress may be
// nil.
func Run(ctx context.Context, st Store, srcs []Source, opts Options, progress Progress) (Summary, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return Summary{Dataset: opts.Dataset, Columns: []SourceColumns{}, Rejects: []Reject{}}, err
	}
	start := o.Now()
	r := &runner{o: o, progress: progress, sum: Summary{Dataset: o.Dataset, DryRun: o.DryRun, Columns: []SourceColumns{},
		Geocoded: GeocodeStats{ByPrecision: map[string]int{}}}, rejects: newRejectWriter(o.Rejects),
		today: start.UTC().Truncate(24 * time.Hour), national: map[nace.Variant]*NationalCodes{}}
	if r.mp, err = newMapper(o.Mapping); err != nil {
		return r.finish(start), kume.Errorf(kume.EINVALID, "%v", err)
	}
	if r.crs, err = parseCRSOption(o.CRS); err != nil {
		return r.finish(start), err
	}
	if o.NACE == nil {
		tax, err := nace.New()
		if err != nil {
			return r.finish(start), fmt.Errorf("ingest: NACE taxonomy: %w", err)
		}
		r.o.NACE = tax
	}
	if len(srcs) == 0 {
		return r.finish(start), kume.Errorf(kume.EINVALID, "no input")
	}
	if err := r.begin(ctx, st); err != nil {
		return r.finish(start), err
	}
	if r.imp != nil {
		defer func() { _ = r.imp.Rollback(context.WithoutCancel(ctx)) }()
	}
	for _, src := range srcs {
		if err := r.source(ctx, src, r.o.NACE); err != nil {
			return r.finish(start), r.failed(err)
		}
	}
	for len(r.pending) > 0 {
		if err := r.decideOldest(ctx); err != nil {
			return r.finish(start), r.failed(err)
		}
	}
	for _, f := range r.files {
		if v := f.verdict(); v != "" {
			return r.finish(start), r.failed(kume.Errorf(kume.EINVALID, "%s", v))
		}
	}
	if err := r.flush(ctx); err != nil {
		return r.finish(start), r.failed(err)
	}
	if err := r.rejects.flush(); err != nil {
		return r.finish(start), fmt.Errorf("ingest: writing rejects: %w", err)
	}
	sum := r.finish(start)
	switch {
	case r.sum.Rejected > 0 && o.OnError == Abort:
		return sum, r.failed(kume.Errorf(kume.EINVALID, "%d of %d rows rejected; nothing imported (fix them, or import the valid rows with on-error skip)", sum.Rejected, sum.Read))
	case r.accepted == 0:
		return sum, r.failed(kume.Errorf(kume.EINVALID, "no valid rows; nothing imported"))
	case o.DryRun:
		return sum, nil
	}
	stats, err := r.imp.Commit(ctx)
	if err != nil {
		return sum, r.failed(fmt.Errorf("ingest: commit: %w", err))
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
	newDS    *kume.Dataset // the dataset the import creates, nil for an existing one
	sum      Summary
	rejects  *rejectWriter
	accepted int
	batch    []kume.Establishment
	ext      Extent
	pending  []pendingRow
	unread   int     // rows read since the last progress report
	ids      idIndex // the ids taken so far, shared by all sources
	today    time.Time
	national map[nace.Variant]*NationalCodes
	files    []*fileCheck // per source, when Options.Areas is set
}

// finish reports the last progress and returns the summary so far.
func (r *runner) finish(start time.Time) Summary {
	r.reportProgress(true)
	r.sum.Seconds = r.o.Now().Sub(start).Seconds()
	r.sum.RejectsOmitted = r.sum.Rejected - len(r.sum.Rejects)
	if r.sum.Rejects == nil {
		r.sum.Rejects = []Reject{}
	}
	r.sum.National = r.sum.National[:0]
	for _, v := range nace.Variants() {
		if n := r.national[v]; n != nil {
			r.sum.National = append(r.sum.National, *n)
		}
	}
	return r.sum
}

// failed adds to an error that ends the import that the dataset it would
// have created was not created.
func (r *runner) failed(err error) error {
	if r.newDS == nil || r.o.DryRun {
		return err
	}
	return fmt.Errorf("%w (dataset %q not created)", err, r.o.Dataset)
}

// begin finds the dataset or prepares its creation, checks a requested
// visibility against an existing dataset's and, unless this is a dry run,
// starts the transaction. A dry run without a store checks nothing of the
// dataset.
func (r *runner) begin(ctx context.Context, st Store) error {
	if st == nil {
		if r.o.DryRun {
			return nil
		}
		return errors.New("ingest: no store")
	}
	ds, err := st.DatasetByName(ctx, r.o.Dataset)
	switch kume.ErrorCode(err) {
	case kume.ENOTFOUND:
		if r.o.Existing {
			return kume.Errorf(kume.ENOTFOUND, "dataset %q not found", r.o.Dataset)
		}
		d := r.o.NewDataset
		d.ID, d.Name, d.Count, d.ImportedAt = 0, r.o.Dataset, 0, time.Time{}
		switch {
		case r.o.Visibility != "":
			d.Visibility = r.o.Visibility
		case d.Visibility == "":
			d.Visibility = kume.DefaultVisibility
		}
		r.newDS, r.sum.NewDataset, r.sum.Visibility = &d, true, string(d.Visibility)
	case "":
		r.sum.Visibility = string(ds.Visibility)
		if v := r.o.Visibility; v != "" && v != ds.Visibility {
			return kume.Errorf(kume.EINVALID, "dataset %q exists and is %s; the visibility option sets only a new dataset's, so the import would not make it %s: "+
				"change it first (kume datasets set-visibility %s %s, or PATCH /api/v1/datasets/%d), or import without the option",
				ds.Name, ds.Visibility, v, ds.Name, v, ds.ID)
		}
	default:
		return fmt.Errorf("ingest: dataset %q: %w", r.o.Dataset, err)
	}
	if r.o.DryRun {
		return nil
	}
	at := r.o.ReplaceAt
	if at.IsZero() {
		at = r.o.Now()
	}
	io := kume.ImportOptions{Replace: r.o.Replace, ReplaceAt: at, Dataset: r.newDS}
	id := int64(0)
	if ds != nil && r.newDS == nil {
		id = ds.ID
	}
	if r.imp, err = st.BeginImport(ctx, id, io); err != nil {
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
		nace: coder, lim: r.o.Limits, today: r.today}
	var fc *fileCheck
	if r.o.Areas != nil && crs.Geographic() {
		fc = &fileCheck{name: name}
		r.files = append(r.files, fc)
	}
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
			if fc != nil && fc.latCol == "" && rec.cols.idx[FieldLat] >= 0 && rec.cols.idx[FieldLon] >= 0 {
				fc.latCol, fc.lonCol = rec.header[rec.cols.idx[FieldLat]], rec.header[rec.cols.idx[FieldLon]]
			}
			if err := r.row(ctx, fc, name, cv, it); err != nil {
				return err
			}
		}
	}
	r.sum.Columns = append(r.sum.Columns, rr.columns().result(name))
	if rows == 0 {
		if _, ok := rr.(*csvRows); ok {
			return kume.Errorf(kume.EINVALID, "%s: the file has a header but no rows", name)
		}
		return kume.Errorf(kume.EINVALID, "%s: no features", name)
	}
	return nil
}
