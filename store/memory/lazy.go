package memory

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// lazyAnalysis is the analysis of a data directory, read on first use.
// Opening a directory checks only the analysis file's header; its checksum is
// checked when it is first read: a command that replaces the analysis unread
// (kume analyze) never pays for reading, decoding or holding the one it
// replaces, which for a million firms is a file of about a gigabyte. A
// damaged file is then an error of the reads of the analysis, not of Open,
// and the next saved analysis replaces it. A streamed analysis (see
// BeginAnalysis) is committed in this form too.
//
// The first use of a file of format version 3 decodes its run, clusters,
// region statistics and group index only, and the cells are then decoded one
// (resolution, sector) group at a time as they are read (see groupFile):
// a million firms give some 15 million cell statistics, several gigabytes
// decoded, of which a map session reads a few groups. Files of versions 1
// and 2 have no group index and are decoded whole.
//
// The file is opened when the lazyAnalysis is made and read through that
// descriptor only, so that a reader of an old snapshot reads the file it
// names even once a newer analysis has replaced and removed it.
type lazyAnalysis struct {
	path string
	f    *os.File
	// budget bounds the memory of the groups kept decoded (see groupFile);
	// set before the first get.
	budget int64
	once   sync.Once
	a      *analysis
	err    error
	done   atomic.Bool // set once get has finished
}

// openLazyAnalysis opens the analysis file at path and checks its header.
func openLazyAnalysis(path string) (*lazyAnalysis, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	l, err := newLazyAnalysis(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// newLazyAnalysis holds the analysis file f, named path once committed, and
// checks its header. The lazyAnalysis owns f from then on.
func newLazyAnalysis(f *os.File, path string) (*lazyAnalysis, error) {
	if _, _, err := fileHeader(f, path, kindAnalysis); err != nil {
		return nil, err
	}
	return &lazyAnalysis{path: path, f: f, budget: defaultGroupCacheBytes}, nil
}

// get reads the analysis the first time it is called and returns it.
func (l *lazyAnalysis) get() (*analysis, error) {
	l.once.Do(func() {
		l.a, l.err = l.read()
		l.done.Store(true)
	})
	return l.a, l.err
}

// read checks and decodes the file: all of it for format versions 1 and 2,
// all but the cells for version 3.
func (l *lazyAnalysis) read() (*analysis, error) {
	v, size, err := fileHeader(l.f, l.path, kindAnalysis)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	if v >= 3 {
		a, _, err := openGroupFile(l.f, l.path, size, l.budget)
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		return a, nil
	}
	data := make([]byte, size)
	if _, err := l.f.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("memory: %s: %w", l.path, err)
	}
	d, err := checkData(l.path, data, kindAnalysis)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	a, err := decodeAnalysis(d)
	if err != nil {
		return nil, fmt.Errorf("memory: %s: %w", l.path, err)
	}
	return a, nil
}

// loaded returns the analysis if a reader has had it read, nil otherwise
// (never reading it itself).
func (l *lazyAnalysis) loaded() *analysis {
	if !l.done.Load() {
		return nil
	}
	return l.a
}

// checkFileHeader verifies a framed file's header as readFile does, reading
// only the header: the checksum of the body is checked when the file is read.
func checkFileHeader(path string, kind byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, _, err = fileHeader(f, path, kind)
	return err
}

// fileHeader checks the header of the framed file f and returns its format
// version and size.
func fileHeader(f *os.File, path string, kind byte) (byte, int64, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	head := make([]byte, headerLen)
	if info.Size() >= int64(headerLen) {
		if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
			return 0, 0, fmt.Errorf("%s: %w", path, err)
		}
	}
	v, err := checkHeader(path, head, info.Size(), kind)
	return v, info.Size(), err
}
