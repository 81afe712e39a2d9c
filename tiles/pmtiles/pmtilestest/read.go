// Package pmtilestest reads the PMTiles archives package pmtiles writes, for
// tests: the header, the metadata and tiles by address. It reads the
// specification's directory encoding back, so it checks the writer only
// against itself; the archive is checked against an independent reader, the
// pmtiles JavaScript library, in package pmtiles' tests.
package pmtilestest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kume-geo/kume/tiles/pmtiles"
)

// Header is the decoded header of an archive.
type Header struct {
	Version                                        uint8
	RootOffset, RootLength, MetaOffset, MetaLength uint64
	LeafOffset, LeafLength, DataOffset, DataLength uint64
	Addressed, Entries, Contents                   uint64
	Clustered                                      bool
	InternalCompression, TileCompression, TileType uint8
	MinZoom, MaxZoom                               uint8
	MinLonE7, MinLatE7, MaxLonE7, MaxLatE7         int32
	CenterZoom                                     uint8
	CenterLonE7, CenterLatE7                       int32
}

// Archive is a read archive.
type Archive struct {
	Header   Header
	Metadata map[string]any
	src      io.ReaderAt
	size     uint64
	root     []pmtiles.Entry
}

// Read decodes the header, metadata and root directory of an archive.
func Read(b []byte) (*Archive, error) {
	return ReadAt(bytes.NewReader(b), int64(len(b)))
}

// ReadAt decodes the header, metadata and root directory of an archive of
// size bytes read through r, as a client of a static host reads one with HTTP
// range requests: the header first, then each section at the offset the
// header gives. Tile reads through r too, only the directories and the tile
// it needs.
func ReadAt(r io.ReaderAt, size int64) (*Archive, error) {
	if size < pmtiles.HeaderLen {
		return nil, errors.New("pmtilestest: not a PMTiles archive")
	}
	b := make([]byte, pmtiles.HeaderLen)
	if _, err := r.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("pmtilestest: header: %w", err)
	}
	if string(b[:7]) != "PMTiles" {
		return nil, errors.New("pmtilestest: not a PMTiles archive")
	}
	var h Header
	h.Version = b[7]
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8+8*i:]) }
	h.RootOffset, h.RootLength, h.MetaOffset, h.MetaLength = u(0), u(1), u(2), u(3)
	h.LeafOffset, h.LeafLength, h.DataOffset, h.DataLength = u(4), u(5), u(6), u(7)
	h.Addressed, h.Entries, h.Contents = u(8), u(9), u(10)
	h.Clustered = b[96] == 1
	h.InternalCompression, h.TileCompression, h.TileType, h.MinZoom, h.MaxZoom = b[97], b[98], b[99], b[100], b[101]
	i32 := func(o int) int32 { return int32(binary.LittleEndian.Uint32(b[o:])) }
	h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7 = i32(102), i32(106), i32(110), i32(114)
	h.CenterZoom, h.CenterLonE7, h.CenterLatE7 = b[118], i32(119), i32(123)
	a := &Archive{Header: h, src: r, size: uint64(size)}
	meta, err := a.section(h.MetaOffset, h.MetaLength)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(meta, &a.Metadata); err != nil {
		return nil, fmt.Errorf("pmtilestest: metadata: %w", err)
	}
	root, err := a.section(h.RootOffset, h.RootLength)
	if err != nil {
		return nil, err
	}
	if a.root, err = decodeDirectory(root); err != nil {
		return nil, err
	}
	return a, nil
}

// section reads n bytes at off and decompresses them.
func (a *Archive) section(off, n uint64) ([]byte, error) {
	if off > a.size || n > a.size-off {
		return nil, errors.New("pmtilestest: section beyond the archive")
	}
	b := make([]byte, n)
	if _, err := a.src.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("pmtilestest: read %d bytes at %d: %w", n, off, err)
	}
	return gunzip(b)
}

// Tile returns the uncompressed data of tile z/x/y, or false when the archive
// has no such tile.
func (a *Archive) Tile(z uint8, x, y uint32) ([]byte, bool, error) {
	id := pmtiles.TileID(z, x, y)
	dir := a.root
	for depth := 0; depth < 4; depth++ {
		e, ok := find(dir, id)
		if !ok {
			return nil, false, nil
		}
		h := a.Header
		if e.RunLength > 0 {
			b, err := a.section(h.DataOffset+e.Offset, uint64(e.Length))
			return b, err == nil, err
		}
		leaf, err := a.section(h.LeafOffset+e.Offset, uint64(e.Length))
		if err != nil {
			return nil, false, err
		}
		if dir, err = decodeDirectory(leaf); err != nil {
			return nil, false, err
		}
	}
	return nil, false, errors.New("pmtilestest: directories nested too deep")
}

// find returns the entry of a directory that holds id: a tile run covering
// it, or the leaf directory whose range may hold it.
func find(dir []pmtiles.Entry, id uint64) (pmtiles.Entry, bool) {
	lo, hi := 0, len(dir)-1
	for lo <= hi {
		m := (lo + hi) / 2
		switch {
		case dir[m].TileID < id:
			lo = m + 1
		case dir[m].TileID > id:
			hi = m - 1
		default:
			return dir[m], true
		}
	}
	if hi < 0 {
		return pmtiles.Entry{}, false
	}
	e := dir[hi]
	if e.RunLength == 0 || id-e.TileID < uint64(e.RunLength) {
		return e, true
	}
	return pmtiles.Entry{}, false
}

// decodeDirectory reads a directory's columns of varints.
func decodeDirectory(b []byte) ([]pmtiles.Entry, error) {
	r := bytes.NewReader(b)
	next := func() uint64 {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			panic(err)
		}
		return v
	}
	var out []pmtiles.Entry
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("pmtilestest: directory: %v", p)
			}
		}()
		n := next()
		if n > uint64(len(b)) {
			return errors.New("pmtilestest: directory: impossible entry count")
		}
		out = make([]pmtiles.Entry, n)
		var id uint64
		for i := range out {
			id += next()
			out[i].TileID = id
		}
		for i := range out {
			out[i].RunLength = uint32(next())
		}
		for i := range out {
			out[i].Length = uint32(next())
		}
		for i := range out {
			if v := next(); v == 0 && i > 0 {
				out[i].Offset = out[i-1].Offset + uint64(out[i-1].Length)
			} else {
				out[i].Offset = v - 1
			}
		}
		return nil
	}()
	return out, err
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("pmtilestest: %w", err)
	}
	return io.ReadAll(zr)
}
