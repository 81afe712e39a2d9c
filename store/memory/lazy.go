package memory

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// lazyAnalysis is the analysis of a data directory, decoded on first use.
// Opening a directory checks only the analysis file's header; its checksum is
// checked when it is decoded: a command that replaces the analysis unread
// (kume analyze) never pays for reading, decoding or holding the one it
// replaces, which for a million firms is a file of about a gigabyte and
// several gigabytes in memory. A damaged file is then an error of the reads
// of the analysis, not of Open, and the next saved analysis replaces it. A
// streamed analysis (see BeginAnalysis) is committed in this form too.
type lazyAnalysis struct {
	path string
	once sync.Once
	a    *analysis
	err  error
	done atomic.Bool // set once get has finished decoding
}

// get decodes the analysis the first time it is called and returns it.
func (l *lazyAnalysis) get() (*analysis, error) {
	l.once.Do(func() {
		d, err := readFile(l.path, kindAnalysis)
		if err != nil {
			l.err = fmt.Errorf("memory: %w", err)
			return
		}
		if l.a, err = decodeAnalysis(d); err != nil {
			l.err = fmt.Errorf("memory: %s: %w", l.path, err)
		}
		l.done.Store(true)
	})
	return l.a, l.err
}

// loaded returns the analysis if a reader has had it decoded, nil otherwise
// (never decoding it itself).
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
	info, err := f.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, headerLen)
	if info.Size() >= int64(headerLen) {
		if _, err := io.ReadFull(f, head); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	_, err = checkHeader(path, head, info.Size(), kind)
	return err
}
