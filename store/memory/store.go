// Package memory is the embedded kume.Store: everything lives in process, and
// with Open it is persisted to a data directory so that it survives restarts.
//
// Readers never wait for writers. The store keeps an immutable snapshot of its
// whole state behind an atomic pointer; a writer (one at a time) builds the next
// snapshot beside the current one, persists it, and then swaps the pointer, so a
// reader sees either all of a change or none of it.
//
// On disk a data directory holds one file per dataset's establishments, one for
// the regions, one for the current analysis results of each analysis scope and
// a MANIFEST that names them and holds everything small (datasets, value
// chains, keys and their grants, the analyses' runs, counters). A
// change writes only the files it touches, under fresh names, and then replaces
// the MANIFEST atomically; the MANIFEST is the commit point. See persist.go.
// Jobs are one file each, written atomically beside them and not named by the
// MANIFEST, since a job is no data (jobs.go). An analysis is saved as a
// stream (BeginAnalysis): its file is written as the cells arrive, and its
// groups of cells are decoded when first read (lazy.go).
//
// Open holds the directory for one process (an exclusive lock); OpenReadOnly
// reads a snapshot of a directory another process holds, and writes nothing.
package memory

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kume-geo/kume"
)

// Store is the embedded store. Create it with New or Open; it is safe for
// concurrent use.
type Store struct {
	dir  string   // data directory; "" when not persisted
	lock *os.File // holds the directory's flock while open
	// readOnly is the data directory of a store opened with OpenReadOnly
	// ("" otherwise): it is not persisted to, and every write fails.
	readOnly string

	wmu    sync.Mutex // serialises writers
	cur    atomic.Pointer[state]
	closed atomic.Bool
	// streaming is set while an analysis is being streamed (BeginAnalysis).
	streaming atomic.Bool
	// jobs are kept beside the snapshot state (see jobs.go).
	jobs jobSet

	// now returns the current time; tests may replace it.
	now func() time.Time
	// hook, when set, is called at named points of a persisting write so that
	// crash tests can stop the process there.
	hook func(event string)
}

var _ kume.Store = (*Store)(nil)

// state is one immutable snapshot of everything the store holds. Writers copy
// it, replace the parts they change and publish the copy; nothing reachable
// from a published state is ever modified.
type state struct {
	version     int64 // data version
	nextDataset int64
	nextEst     int64
	nextKey     int64
	nextFile    int64 // generation number for the next data file name

	datasets []*kume.Dataset // ordered by id
	tables   map[int64]*table
	regions  *regionSet
	chains   []kume.ValueChain // ordered by id
	keys     []kume.APIKey     // ordered by id, each with its grants
	// analyses holds the current analysis of every scope, ordered by scope
	// (see scopes.go).
	analyses []*scopeSlot

	// files names the data file of each part on disk ("" when none); the
	// analyses' files are in their slots.
	estFiles    map[int64]string
	regionsFile string
}

func emptyState() *state {
	return &state{
		nextDataset: 1, nextEst: 1, nextKey: 1, nextFile: 1,
		tables: map[int64]*table{}, estFiles: map[int64]string{},
		regions: &regionSet{},
	}
}

// New returns an empty store that lives only in memory.
func New() *Store {
	s := &Store{now: time.Now}
	s.cur.Store(emptyState())
	return s
}

// Ping reports an error once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return kume.Errorf(kume.EUNAVAILABLE, "the store is closed")
	}
	return ctx.Err()
}

// Close releases the data directory's lock. The store must not be written
// afterwards.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Swap(true) || s.lock == nil {
		return nil
	}
	err := unlockFile(s.lock)
	if cerr := s.lock.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("memory: release lock of %s: %w", s.dir, err)
	}
	return nil
}

// change describes what a write changed, so that only those parts are
// written to disk.
type change struct {
	tables  []int64 // datasets whose establishment tables changed
	regions bool
	// analysis, when set, is the scope whose analysis changed.
	analysis kume.AnalysisScope
	// analysisTemp, when set, is a finished and synced temp file holding the
	// new analysis (a streamed save): it is renamed to analysisName instead
	// of the slot's analysis being encoded.
	analysisTemp, analysisName string
	drop                       []string // data files no longer referenced once committed
}

// write runs fn on a copy of the current state under the writer lock, persists
// the parts fn reports changed and publishes the copy. fn must replace, never
// modify, any part of the state it changes.
func (s *Store) write(ctx context.Context, fn func(next *state) (change, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return kume.Errorf(kume.EUNAVAILABLE, "the store is closed")
	}
	if s.readOnly != "" {
		return s.readOnlyError()
	}
	next := *s.cur.Load()
	ch, err := fn(&next)
	if err != nil {
		return err
	}
	if s.dir != "" {
		if err := s.persist(&next, &ch); err != nil {
			return err
		}
	}
	s.cur.Store(&next)
	if s.dir != "" {
		s.removeFiles(ch.drop)
	}
	return nil
}

// currentAnalysis returns the public analysis (nil before the first),
// decoding it from its file on the first call after Open.
func (st *state) currentAnalysis() (*analysis, error) { return st.current(0) }

// snapshot returns the current state for a reader.
func (s *Store) snapshot() *state { return s.cur.Load() }
