package ingest

import (
	"context"
	"io"
	"time"

	"github.com/kume-geo/kume"
)

// Store is what an import needs of a kume.Store. A new dataset is created by
// the import's transaction (kume.ImportOptions.Dataset).
type Store interface {
	DatasetByName(ctx context.Context, name string) (*kume.Dataset, error)
	BeginImport(ctx context.Context, datasetID int64, opts kume.ImportOptions) (kume.Importer, error)
}

// OnError says what an import does with invalid rows.
type OnError string

// The error policies: abort (the default) imports nothing when any row is
// invalid; skip imports the valid rows and reports the others.
const (
	Abort OnError = "abort"
	Skip  OnError = "skip"
)

// Progress is told how many more rows were read; a
// *progressbar.ProgressBar fits.
type Progress interface {
	Add(n int) error
}

// Options control an import. The zero value of every field has a sensible
// meaning; Dataset is required unless DryRun.
type Options struct {
	// Dataset names the dataset to import into; it is created (from
	// NewDataset) when it does not exist, by the import's transaction.
	Dataset    string
	NewDataset kume.Dataset
	// Existing requires the dataset to exist (an upload names one that was
	// created before); a missing one is ENOTFOUND instead of created.
	Existing bool
	// Visibility, when set, is the visibility the caller asks for: a new
	// dataset gets it, and an existing dataset of another visibility fails
	// the import (EINVALID, saying how to change it) rather than keep a
	// visibility the caller did not want. When empty, a new dataset gets
	// NewDataset.Visibility, or kume.DefaultVisibility (private).
	Visibility kume.Visibility
	// Kind is the kind of rows without a kind column (default firm; a row with
	// an institution type is an institution).
	Kind   kume.Kind
	Format Format
	// Mapping maps fields to columns beyond the well-known headers.
	Mapping Mapping
	// CRS of the coordinates, "EPSG:4326" when empty. An EWKT SRID or a
	// GeoJSON crs member overrides it.
	CRS string
	// Encoding of text input: utf-8 (default), windows-1254, iso-8859-9, ...
	Encoding string
	OnError  OnError
	// Rejects, when set, receives every rejected row as CSV: the original
	// fields plus reject_source, reject_line, reject_column, reject_reason.
	Rejects io.Writer
	// OnReject, when set, is called for every rejected row.
	OnReject func(Reject)
	// Replace closes (at ReplaceAt, default now) the dataset's establishments
	// that the import does not contain.
	Replace   bool
	ReplaceAt time.Time
	// ClosedAt sets Closed on every row without a closed value: an exit
	// register imported as closures.
	ClosedAt *time.Time
	// DryRun reads and validates everything and writes nothing; the store may
	// be nil.
	DryRun bool
	// Precision of coordinates given in the source (default address).
	Precision kume.Precision
	// Geocoder places rows without coordinates; nil rejects them.
	Geocoder Geocoder
	// Areas, when set, is where the loaded regions lie (LoadAreas): a file
	// whose points lie outside them as given and inside them with latitude
	// and longitude swapped fails as a whole.
	Areas *Areas
	// NACE normalises sector codes (default nace.New()).
	NACE SectorCoder
	// BatchSize is the number of rows per Importer.Add (default 5000).
	BatchSize int
	Limits    Limits
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// withDefaults fills zero fields and checks the others.
func (o Options) withDefaults() (Options, error) {
	if o.Dataset == "" && !o.DryRun {
		return o, kume.Errorf(kume.EINVALID, "a dataset name is required")
	}
	if o.Kind == "" {
		o.Kind = kume.KindFirm
	}
	if !o.Kind.Valid() {
		return o, kume.Errorf(kume.EINVALID, "unknown kind %q (firm or institution)", o.Kind)
	}
	if o.Format == "" {
		o.Format = FormatAuto
	}
	if _, err := ParseFormat(string(o.Format)); err != nil {
		return o, kume.Errorf(kume.EINVALID, "%v", err)
	}
	switch o.OnError {
	case "":
		o.OnError = Abort
	case Abort, Skip:
	default:
		return o, kume.Errorf(kume.EINVALID, "unknown on-error policy %q (abort or skip)", o.OnError)
	}
	if o.Precision == "" {
		o.Precision = kume.PrecisionAddress
	}
	if !o.Precision.Valid() {
		return o, kume.Errorf(kume.EINVALID, "unknown precision %q", o.Precision)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	for _, v := range []kume.Visibility{o.Visibility, o.NewDataset.Visibility} {
		if v != "" && !v.Valid() {
			return o, kume.Errorf(kume.EINVALID, "unknown visibility %q (public or private)", v)
		}
	}
	if _, err := decoder(nil, o.Encoding); err != nil {
		return o, kume.Errorf(kume.EINVALID, "%v", err)
	}
	return o, nil
}

// parseCRSOption parses Options.CRS.
func parseCRSOption(s string) (CRS, error) {
	if s == "" {
		return WGS84(), nil
	}
	c, err := ParseCRS(s)
	if err != nil {
		return CRS{}, kume.Errorf(kume.EINVALID, "%v", err)
	}
	return c, nil
}
