package tiles

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/tiles/pmtiles"
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
// built in memory before it is written (package pmtiles). An export without
// any tile is EINVALID. The archive is of the layers' current data version
// (see ExportPMTilesAt).
func ExportPMTiles(ctx context.Context, svc *Service, w io.Writer, layers []string, sectors []string, minzoom, maxzoom int) error {
	version, err := svc.Version(ctx, layers)
	if err != nil {
		return err
	}
	return ExportPMTilesAt(ctx, svc, w, version, layers, sectors, minzoom, maxzoom)
}

// ExportPMTilesAt is ExportPMTiles of the layers' data at version (see
// Service.Version), which the archive's metadata names (data_version). The
// version must be the current one when the export starts (else a
// *VersionError) and still be when it ends: an export during which the data
// moved on (a new analysis, or an import for the point layers) is ECONFLICT
// and writes nothing, since its tiles may mix versions.
func ExportPMTilesAt(ctx context.Context, svc *Service, w io.Writer, version int64, layers []string, sectors []string, minzoom, maxzoom int) error {
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
	v, err := svc.refresh(ctx, true)
	if err != nil {
		return err
	}
	if cur := v.of(layers); cur != version {
		return &VersionError{Layers: layers, Asked: version, Current: cur}
	}
	x := &exporter{svc: svc, v: v, layers: layers, sectors: sectors, archive: pmtiles.NewWriter(), maxZoom: maxzoom}
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
	end, err := svc.refresh(ctx, true)
	if err != nil {
		return err
	}
	if cur := end.of(layers); cur != version {
		return kume.Errorf(kume.ECONFLICT, "the data moved from version %d to %d during the export, so its tiles may mix versions; nothing was written: export again", version, cur)
	}
	return x.write(w, minzoom, maxzoom, version)
}

// exporter collects the tiles of an export.
type exporter struct {
	svc        *Service
	v          *versions
	layers     []string
	sectors    []string
	maxZoom    int
	activeFrom int // the zoom from which every layer is active
	archive    *pmtiles.Writer
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
	x.archive.Add(uint8(t.Z), t.X, t.Y, data)
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

// write writes the archive with its metadata (name, description, format,
// attribution, the vector layers as TileJSON has them, and the data version).
func (x *exporter) write(w io.Writer, minzoom, maxzoom int, version int64) error {
	if x.archive.Len() == 0 {
		return kume.Errorf(kume.EINVALID, "the export holds no tile: widen the bounds or the zoom range")
	}
	b := x.svc.cfg.Bounds
	meta := map[string]any{"name": "kume", "format": "pbf", "attribution": x.svc.cfg.Attribution,
		"description":   fmt.Sprintf("kume %s at data version %d", strings.Join(x.layers, ", "), version),
		"vector_layers": x.vectorLayers(), "data_version": version}
	info := pmtiles.Info{MinZoom: uint8(minzoom), MaxZoom: uint8(maxzoom),
		MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1],
		CenterZoom: uint8(minzoom), CenterLon: b.Center()[0], CenterLat: b.Center()[1]}
	if err := x.archive.Write(w, info, meta); err != nil {
		return fmt.Errorf("tiles: %w", err)
	}
	return nil
}
