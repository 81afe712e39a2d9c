package memory

import (
	"container/list"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
)

// defaultGroupCacheBytes bounds the memory of the groups a groupFile keeps
// decoded. A map session reads a few (resolution, sector) groups, the
// largest (all sectors at resolution 9, for a million firms) of about a
// million rows, some 150 MB decoded: the bound keeps a handful of large
// groups or hundreds of small ones, where holding every group decoded would
// grow, over a session that visits them all, to the several gigabytes that
// decoding the whole file costs.
const defaultGroupCacheBytes = 256 << 20

// groupFile serves the cell statistics of an analysis file of format
// version 3 one (resolution, sector) group at a time: the first read of a
// group reads its bytes from the file (at the offset the group index gives),
// decodes them and computes their centres. Decoded groups are kept in a
// cache bounded by an estimate of their memory, least recently used evicted
// first, whole groups at a time. A group is decoded once however many
// readers ask for it at the same time.
//
// f stays open as long as the groupFile is reachable: a reader of an old
// snapshot can still read groups after a newer analysis has been committed
// and this file removed. It is closed when the analysis is dropped (os.File
// closes itself when it becomes unreachable), never explicitly.
type groupFile struct {
	f      *os.File
	path   string
	index  groupIndex
	pos    map[cellGroup]int // position of each group in index.spans
	count  int               // rows in all groups
	budget int64             // bytes of decoded groups to keep

	mu     sync.Mutex
	cache  map[cellGroup]*cachedGroup // decoded and being decoded
	lru    list.List                  // of *cachedGroup, decoded ones, most recent first
	cached int64                      // estimated bytes of the groups in lru

	// decoded counts the groups decoded from the file (tests read it).
	decoded atomic.Int64
}

// cachedGroup is one group of the cache; ready is closed once set or err is.
type cachedGroup struct {
	group cellGroup
	ready chan struct{}
	set   *cellSet
	err   error
	size  int64
	elem  *list.Element // in lru; nil while decoding or once evicted
}

// openGroupFile checks the checksum of the analysis file f of the given
// size, by reading it through once, then decodes its run, clusters, region
// statistics and group index: everything but the cells.
func openGroupFile(f *os.File, path string, size int64, budget int64) (*analysis, *groupFile, error) {
	if err := checkSum(f, size, path); err != nil {
		return nil, nil, err
	}
	bodyEnd := size - trailerLen
	if bodyEnd < int64(headerLen+footerLen) {
		return nil, nil, fmt.Errorf("%s: no group index: %w", path, errCorrupt)
	}
	var foot [footerLen]byte
	if _, err := f.ReadAt(foot[:], bodyEnd-footerLen); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	indexAt := int64(binary.LittleEndian.Uint64(foot[:]))
	if indexAt < int64(headerLen) || indexAt > bodyEnd-footerLen {
		return nil, nil, fmt.Errorf("%s: group index at %d, outside the file: %w", path, indexAt, errCorrupt)
	}
	d, err := readSection(f, path, indexAt, bodyEnd-footerLen)
	if err != nil {
		return nil, nil, err
	}
	x := decodeGroupIndex(d)
	if err := d.done(); err != nil {
		return nil, nil, fmt.Errorf("%s: group index: %w", path, err)
	}
	if x.cellsEnd < int64(headerLen) || x.cellsEnd > indexAt {
		return nil, nil, fmt.Errorf("%s: cell section ends at %d: %w", path, x.cellsEnd, errCorrupt)
	}
	// The number of cells, before them.
	d, err = readSection(f, path, int64(headerLen), min(x.cellsEnd, int64(headerLen+binary.MaxVarintLen64)))
	if err != nil {
		return nil, nil, err
	}
	count := d.uvarint()
	if d.err != nil || count > uint64(x.cellsEnd) {
		return nil, nil, fmt.Errorf("%s: cell count: %w", path, errCorrupt)
	}
	if err := x.check(int(count), int64(headerLen+d.off), indexAt); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	d, err = readSection(f, path, x.cellsEnd, indexAt)
	if err != nil {
		return nil, nil, err
	}
	r := &kume.AnalysisResult{Run: decodeRun(d)}
	decodeClustersRegions(d, r, interner{})
	if err := d.done(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	a, err := newAnalysis(r, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	a.run.Version = r.Run.Version
	g := &groupFile{f: f, path: path, index: x, pos: make(map[cellGroup]int, len(x.spans)), count: int(count),
		budget: budget, cache: map[cellGroup]*cachedGroup{}}
	for i, s := range x.spans {
		g.pos[s.group] = i
	}
	a.src = g
	return a, g, nil
}

// checkSum verifies the CRC-32C at the end of the file of the given size,
// reading it in chunks.
func checkSum(r io.ReaderAt, size int64, path string) error {
	if size < int64(headerLen+trailerLen) {
		return fmt.Errorf("%s is not a kume store file", path)
	}
	crc := crc32.New(castagnoli())
	body := size - trailerLen
	if _, err := io.Copy(crc, io.NewSectionReader(r, 0, body)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var sum [trailerLen]byte
	if _, err := r.ReadAt(sum[:], body); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if crc.Sum32() != binary.LittleEndian.Uint32(sum[:]) {
		return fmt.Errorf("%s: checksum mismatch: %w", path, errCorrupt)
	}
	return nil
}

// readSection returns a decoder over the file's bytes [from, to).
func readSection(f *os.File, path string, from, to int64) (*decoder, error) {
	if to < from {
		return nil, fmt.Errorf("%s: bytes [%d, %d): %w", path, from, to, errCorrupt)
	}
	buf := make([]byte, to-from)
	if _, err := f.ReadAt(buf, from); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &decoder{s: string(buf), version: analysisVersion}, nil
}

// get returns the cells of group g (nil if the analysis has none), decoding
// them on first use.
func (g *groupFile) get(group cellGroup) (*cellSet, error) {
	i, ok := g.pos[group]
	if !ok {
		return nil, nil
	}
	g.mu.Lock()
	if c := g.cache[group]; c != nil {
		if c.elem != nil {
			g.lru.MoveToFront(c.elem)
		}
		g.mu.Unlock()
		<-c.ready
		return c.set, c.err
	}
	c := &cachedGroup{group: group, ready: make(chan struct{})}
	g.cache[group] = c
	g.mu.Unlock()

	c.set, c.size, c.err = g.decode(i)

	g.mu.Lock()
	if c.err != nil {
		delete(g.cache, group) // the next reader tries again
	} else {
		c.elem = g.lru.PushFront(c)
		g.cached += c.size
		for g.cached > g.budget && g.lru.Len() > 1 {
			old := g.lru.Remove(g.lru.Back()).(*cachedGroup)
			old.elem = nil
			delete(g.cache, old.group)
			g.cached -= old.size
		}
	}
	g.mu.Unlock()
	close(c.ready)
	return c.set, c.err
}

// Estimated memory of a decoded row, and of its optional parts.
const (
	rowBytes   = int64(unsafe.Sizeof(kume.CellStat{}) + unsafe.Sizeof(orb.Point{}))
	floatBytes = 8
	mapBytes   = 48 // a small map's header
	entryBytes = 32 // one institution count in it
)

// decode reads and decodes span i of the index, computes its centres and
// returns them with an estimate of their memory.
func (g *groupFile) decode(i int) (*cellSet, int64, error) {
	sp := g.index.spans[i]
	d, err := readSection(g.f, g.path, sp.off, g.index.end(i))
	if err != nil {
		return nil, 0, fmt.Errorf("memory: %w", err)
	}
	g.decoded.Add(1)
	stats := make([]kume.CellStat, sp.rows)
	in := interner{sp.group.sector: sp.group.sector}
	var fs floatSlab
	size := int64(sp.rows) * rowBytes
	for k := range stats {
		c := &stats[k]
		if n := decodeCell(d, c, &fs, in); n > 0 {
			size += mapBytes + int64(n)*entryBytes
		}
		for _, f := range [...]*float64{c.LQ, c.GiZ, c.GiP} {
			if f != nil {
				size += floatBytes
			}
		}
		if d.err == nil && (c.Res != sp.group.res || c.Sector != sp.group.sector || (k > 0 && stats[k-1].Cell >= c.Cell)) {
			return nil, 0, fmt.Errorf("memory: %s: row %d of group (resolution %d, sector %q) is out of place: %w",
				g.path, k, sp.group.res, sp.group.sector, errCorrupt)
		}
	}
	if err := d.done(); err != nil {
		return nil, 0, fmt.Errorf("memory: %s: group (resolution %d, sector %q): %w", g.path, sp.group.res, sp.group.sector, err)
	}
	return &cellSet{stats: stats, centres: cellCentres(stats, [][2]int{{0, len(stats)}})}, size, nil
}
