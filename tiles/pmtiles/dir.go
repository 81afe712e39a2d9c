package pmtiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
)

// Entry is one directory entry: RunLength tiles from TileID on whose content
// is Length bytes at Offset of the tile data, or, with RunLength 0, a leaf
// directory of Length bytes at Offset of the leaf directories whose first
// entry is TileID.
type Entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// encodeDirectory serialises entries as the specification orders it: the
// number of entries, then column by column the tile ids as deltas, the run
// lengths, the lengths and the offsets (0 when an entry's data follows the
// previous entry's, else offset + 1), every number a varint; then gzip.
func encodeDirectory(entries []Entry) ([]byte, error) {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return gzipBytes(b)
}

// directories returns the root directory and the leaf directories of entries
// (ascending tile ids): the root alone when it fits beside the header in the
// first 16,384 bytes, else leaves of leafSize entries, grown by a fifth until
// the root of their entries fits.
func directories(entries []Entry) (root, leaves []byte, err error) {
	if len(entries) == 0 {
		return nil, nil, fmt.Errorf("pmtiles: an archive needs at least one tile")
	}
	if root, err = encodeDirectory(entries); err != nil {
		return nil, nil, err
	}
	if len(root) <= rootLimit-HeaderLen {
		return root, nil, nil
	}
	for leafSize := 4096; ; leafSize += leafSize / 5 {
		var rootEntries []Entry
		var lb bytes.Buffer
		for i := 0; i < len(entries); i += leafSize {
			leaf, err := encodeDirectory(entries[i:min(i+leafSize, len(entries))])
			if err != nil {
				return nil, nil, err
			}
			rootEntries = append(rootEntries, Entry{TileID: entries[i].TileID, Offset: uint64(lb.Len()), Length: uint32(len(leaf))})
			lb.Write(leaf)
		}
		if root, err = encodeDirectory(rootEntries); err != nil {
			return nil, nil, err
		}
		if len(root) <= rootLimit-HeaderLen {
			return root, lb.Bytes(), nil
		}
	}
}

// gzipBytes compresses b with gzip.
func gzipBytes(b []byte) ([]byte, error) {
	return new(compressor).gzip(b)
}

// compressor gzips one buffer after another with one reused gzip.Writer:
// allocating a writer costs more than compressing a small tile.
type compressor struct {
	buf bytes.Buffer
	zw  *gzip.Writer
}

// gzip returns b compressed, in a new slice.
func (c *compressor) gzip(b []byte) ([]byte, error) {
	c.buf.Reset()
	if c.zw == nil {
		c.zw = gzip.NewWriter(&c.buf)
	} else {
		c.zw.Reset(&c.buf)
	}
	if _, err := c.zw.Write(b); err != nil {
		return nil, fmt.Errorf("pmtiles: gzip: %w", err)
	}
	if err := c.zw.Close(); err != nil {
		return nil, fmt.Errorf("pmtiles: gzip: %w", err)
	}
	return bytes.Clone(c.buf.Bytes()), nil
}
