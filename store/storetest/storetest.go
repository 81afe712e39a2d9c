// Package storetest is the conformance suite that every implementation of
// kume.Store must pass, plus the small deterministic fixtures it uses.
//
// A store's test calls Run with a function that opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) kume.Store {
//			s := memory.New()
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite is black-box: it uses only the kume.Store interface. Besides what
// the interface documents, it pins down these conventions so that both stores
// behave the same:
//
//   - Times (Founded, Closed, ImportedAt, CreatedAt, RevokedAt, analysis run
//     times) come back in UTC with at least microsecond precision, the
//     precision of PostgreSQL's timestamptz. The fixtures carry microsecond
//     fractions and non-UTC zones on input.
//   - Nil and empty maps, slices and raw JSON are the same; raw JSON (Params,
//     Profile) is compared by meaning, not byte for byte.
//   - Establishment ids are positive and stable across re-imports. Within one
//     result, rows are ordered by id; the order of ids within one import is not
//     specified.
//   - An import that is not a Replace never closes rows. A Replace closes, at
//     ReplaceAt, the dataset's rows that the import lacks and that are still
//     open (Closed == nil); rows already closed keep their Closed time and are
//     not counted.
//   - BeginImport into a dataset that does not exist fails with ENOTFOUND (from
//     BeginImport, Add or Commit). An import that creates its dataset
//     (ImportOptions.Dataset) leaves nothing of it, record and name
//     included, unless it commits. A duplicate source id fails with EINVALID
//     (from Add or Commit) and a rollback afterwards leaves the store unchanged.
//   - NACEPrefixes is a literal string prefix: "1" matches "13.20" and "10.11";
//     an empty NACE never matches.
//   - BBox filters are inclusive on every edge.
//   - CellFilter.Res and CellFilter.Sector always filter (resolution 0 and
//     SectorAll are real keys). RegionStatFilter.Level "" means every level;
//     its Sector always filters.
//   - Before the first analysis, CellStats, Clusters and RegionStats return no
//     rows and no error.
//   - A cluster saved without a footprint geometry comes back without one.
//   - Jobs (PutJob, Job, Jobs) come back as put, times in UTC to the
//     microsecond and JSON by meaning; Jobs lists the newest first and leaves
//     out the rejects; DeleteJobs removes only finished jobs.
//   - Keys come back with their grants ordered by dataset id; a grant goes
//     with its dataset. Analysis runs come back with their scope ("" saved
//     as AnalysisPublic) and the datasets they read and left out, nil and
//     empty alike. Reads without a version read the public analysis; the
//     versions of every scope's current analysis may be read. DeleteDataset
//     removes the analyses of the scopes naming the dataset, not the others.
//     A version no longer kept reads no rows (or ENOTFOUND).
//   - DataVersion strictly grows with a commit that changes establishments,
//     with DeleteDataset of a non-empty dataset and with SaveAnalysis, whose
//     returned version is a data version.
package storetest

import (
	"testing"

	"github.com/kume-geo/kume"
)

// Opener returns a fresh, empty store for one subtest. It should register the
// store's Close with t.Cleanup.
type Opener func(t *testing.T) kume.Store

// Run runs the whole conformance suite, opening a fresh store for every subtest.
func Run(t *testing.T, open func(t *testing.T) kume.Store) {
	t.Helper()
	groups := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Ping", testPing},
		{"Datasets", testDatasets},
		{"Import", testImport},
		{"Establishments", testEstablishments},
		{"RoundTrip", testRoundTrip},
		{"DeleteDataset", testDeleteDataset},
		{"Regions", testRegions},
		{"ValueChains", testValueChains},
		{"Analysis", testAnalysis},
		{"AnalysisStream", testAnalysisStream},
		{"ClusterWithoutGeometry", testClusterWithoutGeometry},
		{"Keys", testKeys},
		{"Grants", testGrants},
		{"GrantedEstablishments", testGrantedEstablishments},
		{"AnalysisScopes", testAnalysisScopes},
		{"Jobs", testJobs},
		{"Concurrency", testConcurrency},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.fn(t, open) })
	}
}

func testPing(t *testing.T, open Opener) {
	s := open(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// wantCode fails the test unless err carries the kume error code want.
func wantCode(t testing.TB, err error, want, what string) {
	t.Helper()
	if got := kume.ErrorCode(err); got != want {
		t.Errorf("%s: error code %q (err %v), want %q", what, got, err, want)
	}
}

// must fails the test at once on a non-nil error.
func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
