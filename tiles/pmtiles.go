package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/kume-geo/kume"
)

// maxExportTiles bounds the tiles one export may visit.
const maxExportTiles = 2_000_000

// ExportPMTiles writes a PMTiles v3 archive of the given layers for each of the
// sectors ("" for all firms) at zooms minzoom..maxzoom over Config.Bounds, to w.
// With one sector the layers keep their names; with several, a layer that
// takes a sector is written once per sector as "<layer>@<sector>" (for
// instance "hexagons@13" and "hexagons@vc:textiles"). Tiles are gzip-compressed,
// identical tiles are stored once, and a tile's children are visited only when
// it has content or some layer only starts below its zoom. The archive is
// built in memory before it is written.
func ExportPMTiles(ctx context.Context, svc *Service, w io.Writer, layers []string, sectors []string, minzoom, maxzoom int) error {
	if minzoom < 0 || maxzoom > MaxZoom || minzoom > maxzoom {
		return kume.Errorf(kume.EINVALID, "zoom range %d..%d outside 0..%d", minzoom, maxzoom, MaxZoom)
	}
	if len(sectors) == 0 {
		sectors = []string{""}
	}
	for _, sec := range sectors {
		if _, err := svc.cfg.Sectors.Parse(sec); err != nil {
			return err
		}
	}
	if _, err := ParseLayers(strings.Join(layers, ",")); err != nil {
		return err
	}
	v, err := svc.versions(ctx)
	if err != nil {
		return err
	}
	x := &exporter{svc: svc, v: v, layers: layers, sectors: sectors, tiles: map[uint64][]byte{}, maxZoom: maxzoom}
	zr := svc.Zooms(layers)
	x.activeFrom = zr.Max
	for _, l := range layers {
		x.activeFrom = max(x.activeFrom, svc.cfg.Zooms[l].Min)
	}
	x0, y0, x1, y1 := tileRange(svc.cfg.Bounds, uint32(minzoom), svc.cfg.Extent, 0)
	for tx := x0; tx <= x1; tx++ {
		for ty := y0; ty <= y1; ty++ {
			if err := x.visit(ctx, TileID{Z: uint32(minzoom), X: tx, Y: ty}); err != nil {
				return err
			}
		}
	}
	return x.write(w, minzoom, maxzoom)
}

// exporter collects the tiles of an export.
type exporter struct {
	svc        *Service
	v          *versions
	layers     []string
	sectors    []string
	maxZoom    int
	activeFrom int // the zoom from which every layer is active
	tiles      map[uint64][]byte
	visited    int
}

// visit builds one tile and, when useful, its children.
func (x *exporter) visit(ctx context.Context, t TileID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if x.visited++; x.visited > maxExportTiles {
		return kume.Errorf(kume.ETOOLARGE, "export visits more than %d tiles: narrow the zoom range or bounds", maxExportTiles)
	}
	b := x.svc.cfg.Bounds
	if !bufferedBound(t, x.svc.cfg.Extent, 0).Intersects(b) {
		return nil
	}
	data, err := x.tile(ctx, t)
	if err != nil {
		return err
	}
	if len(data) > 0 {
		x.tiles[pmtiles.ZxyToID(uint8(t.Z), t.X, t.Y)] = data
	}
	if int(t.Z) >= x.maxZoom || (len(data) == 0 && int(t.Z) >= x.activeFrom) {
		return nil
	}
	for dy := uint32(0); dy < 2; dy++ {
		for dx := uint32(0); dx < 2; dx++ {
			if err := x.visit(ctx, TileID{Z: t.Z + 1, X: 2*t.X + dx, Y: 2*t.Y + dy}); err != nil {
				return err
			}
		}
	}
	return nil
}

// tile encodes the tile for every layer and sector and concatenates the
// results: an MVT is a sequence of layer fields, so the concatenation of tiles
// with distinct layer names is one valid tile.
func (x *exporter) tile(ctx context.Context, t TileID) ([]byte, error) {
	var out []byte
	for _, l := range x.layers {
		for _, sec := range x.layerSectors(l) {
			data, err := x.svc.encode(ctx, Request{Layers: []string{l}, Tile: t, Params: Params{Sector: sec}}, x.v, x.suffix(l, sec))
			if err != nil {
				return nil, err
			}
			out = append(out, data...)
		}
	}
	return out, nil
}

// layerSectors returns the sectors a layer is exported for.
func (x *exporter) layerSectors(layer string) []string {
	if slices.Contains(layerParams(layer), paramSector) {
		return x.sectors
	}
	return []string{""}
}

// suffix returns the layer name suffix of a sector.
func (x *exporter) suffix(layer, sector string) string {
	if len(x.sectors) < 2 || !slices.Contains(layerParams(layer), paramSector) {
		return ""
	}
	return "@" + sector
}

// vectorLayers describes the archive's layers for its metadata.
func (x *exporter) vectorLayers() []VectorLayer {
	var out []VectorLayer
	for _, vl := range x.svc.TileJSON(x.layers, Params{}, "").VectorLayers {
		for _, sec := range x.layerSectors(vl.ID) {
			l := vl
			l.ID += x.suffix(vl.ID, sec)
			out = append(out, l)
		}
	}
	return out
}

// write lays out the archive: header, root directory, metadata, leaf
// directories, tile data (clustered: in tile id order).
func (x *exporter) write(w io.Writer, minzoom, maxzoom int) error {
	ids := make([]uint64, 0, len(x.tiles))
	for id := range x.tiles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var data bytes.Buffer
	var entries []pmtiles.EntryV3
	offsets := map[[32]byte]pmtiles.EntryV3{}
	for _, id := range ids {
		gz, err := gzipBytes(x.tiles[id])
		if err != nil {
			return err
		}
		sum := sha256.Sum256(gz)
		e, seen := offsets[sum]
		if !seen {
			e = pmtiles.EntryV3{Offset: uint64(data.Len()), Length: uint32(len(gz))}
			data.Write(gz)
			offsets[sum] = e
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == e.Offset && last.TileID+uint64(last.RunLength) == id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, pmtiles.EntryV3{TileID: id, Offset: e.Offset, Length: e.Length, RunLength: 1})
	}
	b := x.svc.cfg.Bounds
	meta := map[string]any{"name": "kume", "format": "pbf", "attribution": x.svc.cfg.Attribution,
		"vector_layers": x.vectorLayers()}
	metaBytes, err := pmtiles.SerializeMetadata(meta, pmtiles.Gzip)
	if err != nil {
		return fmt.Errorf("tiles: pmtiles metadata: %w", err)
	}
	root, leaves, _ := pmtiles.BuildDirectories(entries, 16384-pmtiles.HeaderV3LenBytes, pmtiles.Gzip)
	h := pmtiles.HeaderV3{
		SpecVersion:         3,
		RootOffset:          pmtiles.HeaderV3LenBytes,
		RootLength:          uint64(len(root)),
		AddressedTilesCount: uint64(len(ids)),
		TileEntriesCount:    uint64(len(entries)),
		TileContentsCount:   uint64(len(offsets)),
		Clustered:           true,
		InternalCompression: pmtiles.Gzip,
		TileCompression:     pmtiles.Gzip,
		TileType:            pmtiles.Mvt,
		MinZoom:             uint8(minzoom),
		MaxZoom:             uint8(maxzoom),
		MinLonE7:            e7(b.Min[0]),
		MinLatE7:            e7(b.Min[1]),
		MaxLonE7:            e7(b.Max[0]),
		MaxLatE7:            e7(b.Max[1]),
		CenterZoom:          uint8(minzoom),
		CenterLonE7:         e7(b.Center()[0]),
		CenterLatE7:         e7(b.Center()[1]),
	}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(metaBytes))
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.LeafDirectoryLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafDirectoryOffset + h.LeafDirectoryLength
	h.TileDataLength = uint64(data.Len())
	for _, part := range [][]byte{pmtiles.SerializeHeader(h), root, metaBytes, leaves, data.Bytes()} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("tiles: write pmtiles: %w", err)
		}
	}
	return nil
}

func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tiles: gzip: %w", err)
	}
	return buf.Bytes(), nil
}
