package kume

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// Store is everything kume keeps. store/postgis and store/memory implement it,
// and store/storetest checks that both behave the same.
type Store interface {
	DatasetStore
	EstablishmentStore
	RegionStore
	ValueChainStore
	AnalysisStore
	KeyStore
	JobStore
	// Ping reports whether the store is reachable and its schema is current.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// DatasetStore keeps datasets.
type DatasetStore interface {
	// CreateDataset stores d, setting its ID. ECONFLICT when the name is taken.
	CreateDataset(ctx context.Context, d *Dataset) error
	// Dataset returns the dataset with the given id (ENOTFOUND if none).
	Dataset(ctx context.Context, id int64) (*Dataset, error)
	// DatasetByName returns the dataset with the given name (ENOTFOUND if none).
	DatasetByName(ctx context.Context, name string) (*Dataset, error)
	// Datasets lists every dataset ordered by id.
	Datasets(ctx context.Context) ([]*Dataset, error)
	// UpdateDataset changes a dataset's descriptive fields and visibility.
	UpdateDataset(ctx context.Context, d *Dataset) error
	// DeleteDataset removes a dataset and all its establishments, the
	// grants on it and the analyses of the scopes that name it
	// (DatasetsScope).
	DeleteDataset(ctx context.Context, id int64) error
}

// ImportOptions control one import transaction.
type ImportOptions struct {
	// Replace makes the dataset equal to the import: establishments of the
	// dataset that the import does not contain are closed at ReplaceAt (not deleted).
	Replace   bool
	ReplaceAt time.Time
	// Dataset, when set, is a dataset that the import creates: BeginImport is
	// then called with dataset id 0, Commit stores the dataset together with
	// its rows and sets Dataset.ID, and Rollback (or a failed Commit) leaves
	// no trace of it. ECONFLICT (from BeginImport or Commit) when its name is
	// taken. An empty Visibility is DefaultVisibility.
	Dataset *Dataset
}

// ImportStats counts what a committed import changed.
type ImportStats struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Closed    int `json:"closed"`
}

// Importer is one import transaction: rows added with Add are invisible to
// readers until Commit, and Rollback (or a crash) leaves the store exactly as
// before. Rows are matched to existing ones by (dataset, source id).
type Importer interface {
	// Add stages establishments. Their DatasetID is set by the importer. A source
	// id staged twice in one import is an EINVALID error.
	Add(ctx context.Context, rows []Establishment) error
	// Commit applies the staged rows atomically and bumps the data version.
	Commit(ctx context.Context) (ImportStats, error)
	// Rollback discards the staged rows. Safe to call after Commit (no-op).
	Rollback(ctx context.Context) error
}

// EstablishmentFilter selects establishments. Zero fields do not filter.
type EstablishmentFilter struct {
	DatasetIDs []int64
	// NACEPrefixes keeps establishments whose NACE code starts with any prefix
	// ("13" matches "13.20"); callers expand sections to divisions.
	NACEPrefixes []string
	Kind         Kind
	Type         InstitutionType
	BBox         *orb.Bound
	// ActiveAt keeps establishments active at that time.
	ActiveAt *time.Time
	// PublicOnly drops establishments of private datasets, except those of
	// the datasets in Granted (the private datasets a caller was granted).
	PublicOnly bool
	Granted    []int64
	// AfterID pages: only establishments with ID > AfterID. Results are ordered by ID.
	AfterID int64
	// Limit caps the number of results; 0 means no cap (used by analytics only).
	Limit int
	// Lean lets the store leave empty what the analysis does not read:
	// DatasetID, SourceID, Name, Address and GeocodeSource.
	Lean bool
}

// EstablishmentStore keeps establishments.
type EstablishmentStore interface {
	// BeginImport starts an import transaction into the dataset, or into
	// the new dataset opts.Dataset when datasetID is 0.
	BeginImport(ctx context.Context, datasetID int64, opts ImportOptions) (Importer, error)
	// Establishment returns one establishment by its store id (ENOTFOUND if none).
	Establishment(ctx context.Context, id int64) (*Establishment, error)
	// Establishments returns the establishments matching f ordered by ID.
	Establishments(ctx context.Context, f EstablishmentFilter) ([]Establishment, error)
	// EachEstablishment streams the establishments matching f ordered by ID,
	// stopping at the first error fn returns. A store may reuse the row fn
	// gets for the next one, so fn copies it (a shallow copy will do: what
	// the row points to is fn's to keep) rather than keep the pointer.
	EachEstablishment(ctx context.Context, f EstablishmentFilter, fn func(*Establishment) error) error
	// CountEstablishments counts the establishments matching f (Limit and AfterID ignored).
	CountEstablishments(ctx context.Context, f EstablishmentFilter) (int, error)
	// DataVersion is a number that grows with every committed change of
	// establishments or analysis results.
	DataVersion(ctx context.Context) (int64, error)
}

// RegionStore keeps regions.
type RegionStore interface {
	// PutRegions inserts or replaces regions (by level and code) atomically.
	PutRegions(ctx context.Context, regions []Region) error
	// Regions returns the regions matching f ordered by level and code.
	Regions(ctx context.Context, f RegionFilter) ([]Region, error)
	// Region returns one region (ENOTFOUND if none).
	Region(ctx context.Context, level, code string) (*Region, error)
}

// ValueChainStore keeps value-chain definitions.
type ValueChainStore interface {
	// ValueChains returns every stored chain ordered by id.
	ValueChains(ctx context.Context) ([]ValueChain, error)
	// PutValueChain inserts or replaces a chain by id.
	PutValueChain(ctx context.Context, vc ValueChain) error
	// DeleteValueChain removes a chain (ENOTFOUND if none).
	DeleteValueChain(ctx context.Context, id string) error
}

// AnalysisStore keeps versioned analysis results: the current analysis of
// each scope (AnalysisRun.Scope), each under its own data version, and
// possibly older versions. Readers see the previous version of a scope
// until a new one is completely stored. Reads that give no version read the
// current public analysis; a version of any kept analysis may be asked for.
// An analysis run saves its result as a stream (AnalysisStreamer), since its
// cell statistics can be millions; SaveAnalysis saves a result held whole.
type AnalysisStore interface {
	AnalysisStreamer
	// SaveAnalysis stores r atomically as the current analysis of its scope
	// (r.Run.Scope, checked with AnalysisScope.Check; "" is stored as
	// AnalysisPublic) under a new data version, which it returns and sets
	// in r.Run.Version. Older versions may be pruned. Every cell statistic
	// must be of a valid H3 cell of its resolution (IsCellOf); otherwise
	// nothing is stored (EINVALID).
	SaveAnalysis(ctx context.Context, r *AnalysisResult) (int64, error)
	// LatestAnalysis returns the current run of the public analysis
	// (ENOTFOUND before the first).
	LatestAnalysis(ctx context.Context) (*AnalysisRun, error)
	// Analyses returns the current run of every scope, the newest first.
	Analyses(ctx context.Context) ([]AnalysisRun, error)
	// DeleteAnalysis removes every kept analysis of a scope (ENOTFOUND when
	// it has none).
	DeleteAnalysis(ctx context.Context, scope AnalysisScope) error
	// CellStats returns the cell statistics matching f ordered by cell.
	CellStats(ctx context.Context, f CellFilter) ([]CellStat, error)
	// Clusters returns the footprints matching f ordered by id.
	Clusters(ctx context.Context, f ClusterFilter) ([]Cluster, error)
	// Cluster returns one footprint of an analysis version (0: the current
	// public analysis; ENOTFOUND if none).
	Cluster(ctx context.Context, version int64, id string) (*Cluster, error)
	// RegionStats returns the region statistics matching f ordered by code.
	RegionStats(ctx context.Context, f RegionStatFilter) ([]RegionStat, error)
}

// CellStreamer is implemented by stores that stream cell statistics (both of
// kume's, their read replicas and the API's view of them): a ranking, an
// export or local Moran's I then holds what it keeps of each statistic,
// never a resolution's statistics at once.
type CellStreamer interface {
	// EachCellStat calls fn with each statistic CellStats would return, in
	// order, and stops at fn's first error; fn keeps nothing it is given.
	EachCellStat(ctx context.Context, f CellFilter, fn func(*CellStat) error) error
}

// EachCellStat calls fn with each cell statistic of f in st: streamed when st
// is a CellStreamer, else read whole first. It stops at fn's first error.
func EachCellStat(ctx context.Context, st AnalysisStore, f CellFilter, fn func(*CellStat) error) error {
	if cs, ok := st.(CellStreamer); ok {
		return cs.EachCellStat(ctx, f, fn)
	}
	cells, err := st.CellStats(ctx, f)
	if err != nil {
		return err
	}
	for i := range cells {
		if err := fn(&cells[i]); err != nil {
			return err
		}
	}
	return nil
}

// AnalysisStreamer saves an analysis while it is being computed: the cell
// statistics (millions for a large register) go to the store batch by batch
// instead of being held in memory all at once. Every store is one
// (AnalysisStore).
type AnalysisStreamer interface {
	// BeginAnalysis starts saving a new analysis of the given number of cell
	// statistics. Readers keep seeing the current version until Commit.
	BeginAnalysis(ctx context.Context, cells int) (AnalysisWriter, error)
}

// AnalysisWriter is one analysis being saved (see AnalysisStreamer). Exactly
// one of Commit and Abort ends it; Abort after Commit does nothing, so it can
// be deferred.
type AnalysisWriter interface {
	// WriteCells stores a batch of cell statistics. Over all batches the
	// statistics come ordered by (resolution, sector, cell), each once, each
	// of a valid H3 cell of its resolution (IsCellOf; EINVALID ends the
	// stream otherwise), and add up to the count given to BeginAnalysis. The
	// writer does not keep cells, or anything it points to, after
	// WriteCells returns.
	WriteCells(ctx context.Context, cells []CellStat) error
	// Commit stores r's run, clusters and region statistics (r.Cells is
	// ignored) with the cells written, atomically makes them the current
	// version, and returns that version, which it also sets in
	// r.Run.Version. The store may keep r's clusters and region statistics:
	// the caller must not modify them afterwards.
	Commit(ctx context.Context, r *AnalysisResult) (int64, error)
	// Abort discards everything written; the current version stays.
	Abort()
}

// KeyStore keeps API keys and their grants. Keys come back with their
// grants, ordered by dataset id.
type KeyStore interface {
	// CreateKey stores k with its grants, setting its ID and CreatedAt.
	// EINVALID for a grant CheckGrant refuses or two on one dataset,
	// ENOTFOUND for a grant on a dataset that does not exist.
	CreateKey(ctx context.Context, k *APIKey) error
	// KeyByHash returns the unrevoked key with the given hash (ENOTFOUND if none).
	KeyByHash(ctx context.Context, hash []byte) (*APIKey, error)
	// Keys lists every key ordered by id.
	Keys(ctx context.Context) ([]APIKey, error)
	// RevokeKey marks a key revoked (ENOTFOUND if none).
	RevokeKey(ctx context.Context, id int64) error
	// GrantKey gives key keyID the right g on g.DatasetID, replacing the
	// right it had there. ENOTFOUND for an unknown key or dataset, EINVALID
	// for a grant CheckGrant refuses for the key's scope.
	GrantKey(ctx context.Context, keyID int64, g Grant) error
	// RevokeGrant takes key keyID's right on a dataset away (ENOTFOUND when
	// it has none there).
	RevokeGrant(ctx context.Context, keyID, datasetID int64) error
}
