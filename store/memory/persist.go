package memory

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// On-disk layout of a data directory:
//
//	LOCK                   flock'ed by the process that has the store open
//	MANIFEST               the commit point: counters, datasets, value chains,
//	                       keys, and the names of the data files below
//	est-<dataset>-<n>.kume one dataset's establishments
//	regions-<n>.kume       the regions
//	analysis-<n>.kume      the current analysis results of one scope
//	job-<id>.job           one job, written atomically, not named by the
//	                       MANIFEST (jobs.go)
//
// A change writes the data files it touches under fresh names (temp file,
// fsync, rename), fsyncs the directory, then writes the MANIFEST the same way.
// Until the MANIFEST's rename the old MANIFEST names only old, complete files,
// so a crash at any point leaves the previous state; files that no MANIFEST
// names are removed on the next Open.
const (
	manifestName = "MANIFEST"
	lockName     = "LOCK"
	tempPrefix   = ".tmp-"
	dataSuffix   = ".kume"
)

// Open opens the store persisted in dir, creating dir when needed, and locks it
// against other processes.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("memory: no data directory given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("memory: create data directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("memory: data directory %s is not writable: %w", dir, err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, lockedError(dir, err)
	}
	st, err := openLocked(dir)
	if err != nil {
		unlockFile(lock)
		lock.Close()
		return nil, err
	}
	s := &Store{dir: dir, lock: lock, now: time.Now}
	if err := loadJobs(dir, &s.jobs); err != nil {
		unlockFile(lock)
		lock.Close()
		return nil, err
	}
	s.cur.Store(st)
	return s, nil
}

// openLocked checks that dir is writable, loads its state and removes files
// that the MANIFEST does not name.
func openLocked(dir string) (*state, error) {
	probe, err := os.CreateTemp(dir, tempPrefix+"probe-*")
	if err != nil {
		return nil, fmt.Errorf("memory: data directory %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	st, err := load(dir)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, f := range st.estFiles {
		keep[f] = true
	}
	keep[st.regionsFile] = true
	for _, sl := range st.analyses {
		keep[sl.file] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, tempPrefix) || (strings.HasSuffix(n, dataSuffix) && !keep[n]) {
			os.Remove(filepath.Join(dir, n))
		}
	}
	return st, nil
}

// load reads the MANIFEST and every file it names. A directory without a
// MANIFEST holds an empty store.
func load(dir string) (*state, error) {
	path := filepath.Join(dir, manifestName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return emptyState(), nil
	}
	d, err := readFile(path, kindManifest)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	st, err := decodeManifest(d)
	if err != nil {
		return nil, fmt.Errorf("memory: %s: %w", path, err)
	}
	for id, name := range st.estFiles {
		path := filepath.Join(dir, name)
		d, err := readFile(path, kindEstablishment)
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		t, err := decodeTable(d, id)
		if err != nil {
			return nil, fmt.Errorf("memory: %s: %w", path, err)
		}
		st.tables[id] = t
	}
	if st.regionsFile != "" {
		path := filepath.Join(dir, st.regionsFile)
		d, err := readFile(path, kindRegions)
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		if st.regions, err = decodeRegions(d); err != nil {
			return nil, fmt.Errorf("memory: %s: %w", path, err)
		}
	}
	if err := st.openAnalyses(dir); err != nil {
		return nil, err
	}
	if err := st.check(); err != nil {
		return nil, fmt.Errorf("memory: %s: %w", path, err)
	}
	return st, nil
}

// check verifies what the files say about each other.
func (st *state) check() error {
	for id, t := range st.tables {
		d := st.dataset(id)
		if d == nil {
			return fmt.Errorf("establishments of unknown dataset %d: %w", id, errCorrupt)
		}
		if d.Count != len(t.rows) {
			return fmt.Errorf("dataset %d: %d establishments, the manifest says %d: %w", id, len(t.rows), d.Count, errCorrupt)
		}
		if n := len(t.rows); n > 0 && t.rows[n-1].ID >= st.nextEst {
			return fmt.Errorf("dataset %d: establishment id %d beyond the id counter: %w", id, t.rows[n-1].ID, errCorrupt)
		}
	}
	return nil
}

// event calls the test hook, if any.
func (s *Store) event(name string) {
	if s.hook != nil {
		s.hook(name)
	}
}

// persist writes the parts of next that ch names and then the MANIFEST. It
// records in ch the files that the old state used and next no longer does.
func (s *Store) persist(next *state, ch *change) error {
	var written []string
	fail := func(err error) error {
		for _, n := range written {
			os.Remove(filepath.Join(s.dir, n))
		}
		return fmt.Errorf("memory: persist to %s: %w", s.dir, err)
	}
	if len(ch.tables) > 0 {
		next.estFiles = maps.Clone(next.estFiles)
	}
	for _, id := range ch.tables {
		if old := next.estFiles[id]; old != "" {
			ch.drop = append(ch.drop, old)
		}
		delete(next.estFiles, id)
		t := next.tables[id]
		if t == nil || len(t.rows) == 0 {
			continue
		}
		name := next.fileName(fmt.Sprintf("est-%d", id))
		err := s.writeFile(name, kindEstablishment, func(e *encoder) error {
			return encodeTable(e, id, t, func() { s.event("table-half") })
		}, "")
		if err != nil {
			return fail(err)
		}
		written = append(written, name)
		next.estFiles[id] = name
	}
	if ch.regions {
		name := next.fileName("regions")
		if err := s.writeFile(name, kindRegions, func(e *encoder) error { return encodeRegions(e, next.regions) }, ""); err != nil {
			return fail(err)
		}
		written = append(written, name)
		if next.regionsFile != "" {
			ch.drop = append(ch.drop, next.regionsFile)
		}
		next.regionsFile = name
	}
	if ch.analysis != "" {
		sl := next.slot(ch.analysis)
		name := ch.analysisName
		if ch.analysisTemp != "" {
			if err := os.Rename(ch.analysisTemp, filepath.Join(s.dir, name)); err != nil {
				return fail(err)
			}
		} else {
			name = next.fileName("analysis")
			if err := s.writeFile(name, kindAnalysis, func(e *encoder) error { return encodeAnalysis(e, sl.a) }, ""); err != nil {
				return fail(err)
			}
		}
		written = append(written, name)
		if sl.file != "" {
			ch.drop = append(ch.drop, sl.file)
		}
		sl.file = name // the slot is not published yet
	}
	if len(written) > 0 {
		if err := syncDir(s.dir); err != nil {
			return fail(err)
		}
		s.event("data-written")
	}
	if err := s.writeFile(manifestName, kindManifest, func(e *encoder) error { return encodeManifest(e, next) }, "manifest-written"); err != nil {
		return fail(err)
	}
	if err := syncDir(s.dir); err != nil {
		// The rename happened; the new MANIFEST is in place even if the
		// directory entry may not be durable yet. Keep the written files.
		return fmt.Errorf("memory: persist to %s: %w", s.dir, err)
	}
	s.event("committed")
	return nil
}

// fileName returns a fresh data file name.
func (st *state) fileName(prefix string) string {
	n := st.nextFile
	st.nextFile++
	return fmt.Sprintf("%s-%d%s", prefix, n, dataSuffix)
}

// writeFile writes a framed file atomically: a temp file in the same
// directory, fsync, rename. before, when set, names the event raised just
// before the rename.
func (s *Store) writeFile(name string, kind byte, body func(*encoder) error, before string) (err error) {
	f, err := os.CreateTemp(s.dir, tempPrefix+name+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	e := newEncoder(f, kind)
	if err = body(e); err != nil {
		return err
	}
	if err = e.finish(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if before != "" {
		s.event(before)
	}
	return os.Rename(f.Name(), filepath.Join(s.dir, name))
}

// removeFiles deletes data files that no committed state names any more.
// Failures leave orphans that the next Open removes.
func (s *Store) removeFiles(names []string) {
	for _, n := range names {
		os.Remove(filepath.Join(s.dir, n))
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
