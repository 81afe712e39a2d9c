package memory

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// lazyAnalysis is the analysis of a data directory, decoded on first use.
// Opening a directory checks the analysis file but does not decode it: a
// command that replaces the analysis unread (kume analyze) never pays for
// decoding, or holding, the one it replaces, which for a million firms is a
// file of about a gigabyte and several gigabytes in memory.
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

// checkFile verifies a framed file's header and checksum as readFile does,
// streaming it instead of holding it in memory.
func checkFile(path string, kind byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, headerLen)
	if size < int64(headerLen+trailerLen) {
		return fmt.Errorf("%s is not a kume store file", path)
	}
	if _, err := io.ReadFull(r, head); err != nil {
		return err
	}
	if _, err := checkHeader(path, head, size, kind); err != nil {
		return err
	}
	crc := crc32.New(castagnoli())
	crc.Write(head)
	if _, err := io.CopyN(crc, r, size-int64(headerLen+trailerLen)); err != nil {
		return err
	}
	var sum [trailerLen]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(sum[:]) != crc.Sum32() {
		return fmt.Errorf("%s: checksum mismatch: %w", path, errCorrupt)
	}
	return nil
}
