package memory

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kume-geo/kume"
)

// ErrLocked is the error (wrapped) of Open when another process holds the
// data directory, as a running "kume serve" does.
var ErrLocked = errors.New("the data directory is in use by another kume process")

// OpenReadOnly opens the store persisted in dir for reading only. It takes
// no lock, so it reads a directory that another process (a running kume
// serve) holds: it loads the state that the MANIFEST names when it is
// called, a consistent snapshot, since that process never changes a file
// the MANIFEST names, and does not follow later changes. It writes nothing,
// not even to remove leftover files, and every write fails with
// EUNAVAILABLE. A directory without a MANIFEST, or none at all, reads as an
// empty store.
func OpenReadOnly(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("memory: no data directory given")
	}
	for attempt := 0; ; attempt++ {
		st, err := load(dir)
		s := &Store{readOnly: dir, now: time.Now}
		if err == nil {
			err = loadJobs(dir, &s.jobs)
		}
		if err == nil {
			s.cur.Store(st)
			return s, nil
		}
		// The other process committed a change and removed a file of the
		// MANIFEST just read: read the new one.
		if attempt < 10 && errors.Is(err, os.ErrNotExist) {
			time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
			continue
		}
		return nil, err
	}
}

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly != "" }

// readOnlyError is the error of a write to a store opened read-only.
func (s *Store) readOnlyError() error {
	return kume.Errorf(kume.EUNAVAILABLE, "the data directory %s is open read-only, since another kume process (a running kume serve?) holds it: "+
		"stop that process, or make the change through it", s.readOnly)
}

// lockedError wraps the error of a failed lock of dir.
func lockedError(dir string, err error) error {
	return fmt.Errorf("memory: data directory %s: %w (%v)", dir, ErrLocked, err)
}
