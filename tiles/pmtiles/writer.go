package pmtiles

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
)

// Info is what an archive's header says of its tiles besides the directory:
// the zoom range, the bounds and the centre, in degrees.
type Info struct {
	MinZoom, MaxZoom               uint8
	MinLon, MinLat, MaxLon, MaxLat float64
	CenterZoom                     uint8
	CenterLon, CenterLat           float64
}

// Writer collects the MVT tiles of an archive and writes it. It keeps every
// tile in memory until Write. The zero value is not usable: call NewWriter.
type Writer struct {
	tiles map[uint64][]byte
}

// NewWriter returns an empty Writer.
func NewWriter() *Writer { return &Writer{tiles: map[uint64][]byte{}} }

// Add adds tile z/x/y with its uncompressed MVT data; an empty tile is left
// out (an archive has no entry for it). Adding a tile twice keeps the last.
func (w *Writer) Add(z uint8, x, y uint32, data []byte) {
	if len(data) > 0 {
		w.tiles[TileID(z, x, y)] = data
	}
}

// Len returns the number of tiles added.
func (w *Writer) Len() int { return len(w.tiles) }

// Write writes the archive to out: the header, the root directory, metadata (the
// JSON encoding of meta), the leaf directories and the tiles, gzip-compressed,
// in tile id order with identical tiles stored once (clustered). It fails when
// no tile was added.
func (w *Writer) Write(out io.Writer, info Info, meta any) error {
	ids := make([]uint64, 0, len(w.tiles))
	for id := range w.tiles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var data bytes.Buffer
	var entries []Entry
	contents := map[[sha256.Size]byte]Entry{}
	var c compressor
	for _, id := range ids {
		gz, err := c.gzip(w.tiles[id])
		if err != nil {
			return err
		}
		sum := sha256.Sum256(gz)
		e, seen := contents[sum]
		if !seen {
			e = Entry{Offset: uint64(data.Len()), Length: uint32(len(gz))}
			data.Write(gz)
			contents[sum] = e
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == e.Offset && last.TileID+uint64(last.RunLength) == id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, Entry{TileID: id, Offset: e.Offset, Length: e.Length, RunLength: 1})
	}
	root, leaves, err := directories(entries)
	if err != nil {
		return err
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("pmtiles: metadata: %w", err)
	}
	metadata, err := gzipBytes(js)
	if err != nil {
		return err
	}
	h := header{
		rootOffset: HeaderLen, rootLength: uint64(len(root)),
		addressed: uint64(len(ids)), entries: uint64(len(entries)), contents: uint64(len(contents)),
		info: info,
	}
	h.metaOffset, h.metaLength = h.rootOffset+h.rootLength, uint64(len(metadata))
	h.leafOffset, h.leafLength = h.metaOffset+h.metaLength, uint64(len(leaves))
	h.dataOffset, h.dataLength = h.leafOffset+h.leafLength, uint64(data.Len())
	for _, part := range [][]byte{h.bytes(), root, metadata, leaves, data.Bytes()} {
		if _, err := out.Write(part); err != nil {
			return fmt.Errorf("pmtiles: write: %w", err)
		}
	}
	return nil
}

// header holds the fields of a version 3 header.
type header struct {
	rootOffset, rootLength       uint64
	metaOffset, metaLength       uint64
	leafOffset, leafLength       uint64
	dataOffset, dataLength       uint64
	addressed, entries, contents uint64
	info                         Info
}

// bytes returns the 127-byte header, integers little-endian: the magic
// "PMTiles" and version 3, the sections' offsets and lengths, the counts, the
// clustered flag, gzip for directories and tiles, the MVT tile type, the zoom
// range, the bounds and the centre (degrees × 10^7).
func (h header) bytes() []byte {
	b := make([]byte, 0, HeaderLen)
	b = append(b, "PMTiles"...)
	b = append(b, 3)
	for _, v := range []uint64{h.rootOffset, h.rootLength, h.metaOffset, h.metaLength, h.leafOffset, h.leafLength,
		h.dataOffset, h.dataLength, h.addressed, h.entries, h.contents} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	i := h.info
	b = append(b, 1, compressionGzip, compressionGzip, tileTypeMVT, i.MinZoom, i.MaxZoom)
	for _, v := range []float64{i.MinLon, i.MinLat, i.MaxLon, i.MaxLat} {
		b = binary.LittleEndian.AppendUint32(b, uint32(e7(v)))
	}
	b = append(b, i.CenterZoom)
	b = binary.LittleEndian.AppendUint32(b, uint32(e7(i.CenterLon)))
	return binary.LittleEndian.AppendUint32(b, uint32(e7(i.CenterLat)))
}

// e7 returns degrees as the header's signed integers of 10^-7 degrees.
func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }
