package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/tiles"
)

// exportFlags are the flags of "kume export".
type exportFlags struct {
	sc               storeConfig
	layer, layers    string
	dataset, level   string
	sectors          stringList
	bbox             string
	res              int
	public           bool
	datasets         string
	includePrivate   bool
	minzoom, maxzoom int
	out              string
	// emerging holds the options of --layer emerging by flag name.
	emerging map[string]*string
}

const exportUsage = `geojson|csv --layer LAYER [--dataset D] [--sector S] [--bbox w,s,e,n] [--res R] [--public] [--datasets A,B | --include-private] -o FILE|-
       kume export geojson|csv --layer emerging [--sector S] [--res R] [--step year|quarter|month] [--from P] [--to P]
              [--window N] [--k N] [--undated present|omit] [--measure firms|employment] [--alpha A] [--fdr=false] -o FILE|-
       kume export pmtiles [--layers hexagons,clusters,regions] [--sector S]... [--minzoom 0 --maxzoom 12] [--bbox w,s,e,n] [--datasets A,B | --include-private] [-o FILE.pmtiles|DIR]

The hexagons, clusters and regions' statistics are those of the public analysis, or with --datasets or
--include-private those of the analysis kume analyze made of these datasets. A PMTiles archive holds one
data version (kume-v<version>.pmtiles by default).`

func runExport(ctx context.Context, env *Env, args []string) error {
	var f exportFlags
	fs := newFlagSet(env, "export", exportUsage)
	addStoreFlags(fs, env, &f.sc)
	fs.StringVar(&f.layer, "layer", "", "layer to export as GeoJSON or CSV: "+strings.Join(append(export.Layers(), layer.Emerging), "|"))
	f.emerging = emergingFlags(fs)
	fs.StringVar(&f.layers, "layers", "hexagons,clusters,regions", "layers of a PMTiles archive")
	fs.StringVar(&f.dataset, "dataset", "", "only establishments of this dataset (id or name)")
	fs.Var(&f.sectors, "sector", "NACE code (C, 13, 13.2, 13.20) or vc:<value chain>; repeatable for pmtiles")
	fs.StringVar(&f.bbox, "bbox", "", "only this area: west,south,east,north in degrees (pmtiles: default the extent of the data)")
	fs.IntVar(&f.res, "res", -1, fmt.Sprintf("H3 resolution of the hexagons (default %d) or clusters (default all) layer", layer.DefaultRes))
	fs.StringVar(&f.level, "level", "", "region level of the regions layer, e.g. province (default all)")
	fs.BoolVar(&f.public, "public", false, "leave out private datasets and mask suppressed aggregates, as the public API does")
	fs.StringVar(&f.datasets, "datasets", "", "export the analysis of exactly these datasets (as kume analyze --datasets made it)")
	fs.BoolVar(&f.includePrivate, "include-private", false, "export the analysis of every dataset (as kume analyze --include-private made it)")
	fs.IntVar(&f.minzoom, "minzoom", 0, "lowest zoom of a PMTiles archive")
	fs.IntVar(&f.maxzoom, "maxzoom", 12, "highest zoom of a PMTiles archive")
	fs.StringVar(&f.out, "o", "", "output file, - for standard output (required, except for pmtiles: kume-v<data version>.pmtiles, in DIR when -o names a directory)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || f.out == "" && pos[0] != "pmtiles" {
		fs.Usage()
		return errUsage
	}
	given := map[string]string{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = fl.Value.String() })
	if len(f.sectors) > 0 {
		given["sector"] = strings.Join(f.sectors, ",")
	}
	if f.public && (f.datasets != "" || f.includePrivate) {
		return kume.Errorf(kume.EINVALID, "--public exports the public analysis: not with --datasets or --include-private")
	}
	switch pos[0] {
	case "geojson", "csv":
		if f.layer == layer.Emerging {
			return exportEmerging(ctx, env, pos[0], &f, given)
		}
		return exportFeatures(ctx, env, pos[0], &f, given)
	case "pmtiles":
		return exportPMTiles(ctx, env, &f)
	}
	fs.Usage()
	return errUsage
}

// exportFeatures writes one layer as GeoJSON or CSV.
func exportFeatures(ctx context.Context, env *Env, format string, f *exportFlags, given map[string]string) error {
	if !export.ValidLayer(f.layer) {
		return kume.Errorf(kume.EINVALID, "--layer must be one of %s", strings.Join(append(export.Layers(), layer.Emerging), ", "))
	}
	for name := range f.emerging {
		if _, ok := given[name]; ok {
			return kume.Errorf(kume.EINVALID, "--%s applies to --layer emerging only", name)
		}
	}
	if len(f.sectors) > 1 {
		return kume.Errorf(kume.EINVALID, "--sector may be given once for %s", format)
	}
	own, err := f.sc.open(ctx, false)
	if err != nil {
		return err
	}
	defer own.Close()
	st, err := withScope(ctx, own, f.datasets, f.includePrivate)
	if err != nil {
		return err
	}
	q, err := f.query(ctx, st)
	if err != nil {
		return err
	}
	prov, err := export.NewProvenance(ctx, st, f.layer, f.public, q.Establishments.DatasetIDs)
	if err != nil {
		return err
	}
	prov.Filters = map[string]string{}
	for _, k := range []string{"dataset", "sector", "bbox", "res", "level", "public"} {
		if v, ok := given[k]; ok {
			prov.Filters[k] = v
		}
	}
	warnNoAnalysis(ctx, env, st, []string{f.layer})
	out, err := createOutput(ctx, env, f.out)
	if err != nil {
		return err
	}
	defer out.abort()
	var n int
	if format == "geojson" {
		gw := export.NewGeoJSONWriter(out)
		if err := gw.Begin(); err != nil {
			return err
		}
		if _, err := export.Each(ctx, st, q, gw.Write); err != nil {
			return err
		}
		if err := gw.End(export.Member{Key: "kume", Value: prov}); err != nil {
			return err
		}
		n = gw.Count()
	} else {
		cw := export.NewCSVWriter(out, export.Columns(f.layer), export.PointLayer(f.layer))
		if err := cw.Header(); err != nil {
			return err
		}
		if _, err := export.Each(ctx, st, q, cw.Write); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		n = cw.Count()
		side, err := writeProvenance(ctx, env, f.out, prov)
		if err != nil {
			return err
		}
		if side != nil {
			defer side.abort()
			if err := out.commit(); err != nil {
				return err
			}
			out = side
		}
	}
	if err := out.commit(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d %s features as %s to %s\n", n, f.layer, format, outName(f.out))
	return nil
}

// writeProvenance writes the provenance of a CSV export on standard error
// when the CSV goes to standard output, else into FILE.provenance.json, whose
// output it returns for the caller to commit after the CSV itself.
func writeProvenance(ctx context.Context, env *Env, path string, prov *export.Provenance) (*output, error) {
	if path == "-" {
		return nil, json.NewEncoder(env.Stderr).Encode(prov)
	}
	o, err := createOutput(ctx, env, path+".provenance.json")
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(o)
	enc.SetIndent("", "  ")
	if err := enc.Encode(prov); err != nil {
		o.abort()
		return nil, err
	}
	return o, nil
}

// query builds the export query the flags describe with export.NewQuery, as
// the HTTP API does.
func (f *exportFlags) query(ctx context.Context, st kume.Store) (export.Query, error) {
	bbox, err := parseBBox(f.bbox)
	if err != nil {
		return export.Query{}, err
	}
	flt := export.Filters{Layer: f.layer, Public: f.public, BBox: bbox, Res: f.res, Level: f.level}
	if len(f.sectors) == 1 {
		flt.Sector = f.sectors[0]
	}
	if f.dataset != "" {
		d, err := findDataset(ctx, st, f.dataset)
		if err != nil {
			return export.Query{}, err
		}
		if f.public && d.Visibility != kume.Public {
			return export.Query{}, kume.Errorf(kume.EINVALID, "dataset %s is private and --public is given", d.Name)
		}
		flt.DatasetIDs = []int64{d.ID}
	}
	keys, err := layer.NewSectors(nil, st)
	if err != nil {
		return export.Query{}, err
	}
	return export.NewQuery(ctx, keys, flt)
}

// findDataset resolves a dataset given by id or name.
func findDataset(ctx context.Context, st kume.Store, s string) (*kume.Dataset, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		if d, err := st.Dataset(ctx, id); err == nil || kume.ErrorCode(err) != kume.ENOTFOUND {
			return d, err
		}
	}
	d, err := st.DatasetByName(ctx, s)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return nil, kume.Errorf(kume.ENOTFOUND, "no dataset %q", s)
	}
	return d, err
}

// parseBBox reads "west,south,east,north"; "" is no box.
func parseBBox(s string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	var v [4]float64
	bad := kume.Errorf(kume.EINVALID, "--bbox %q: want west,south,east,north in degrees", s)
	if len(parts) != 4 {
		return nil, bad
	}
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, bad
		}
		v[i] = x
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] >= v[2] || v[1] >= v[3] {
		return nil, bad
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// warnNoAnalysis tells on standard error that analysis layers will be empty.
func warnNoAnalysis(ctx context.Context, env *Env, st kume.Store, layers []string) {
	for _, l := range layers {
		if l == export.LayerHexagons || l == export.LayerClusters {
			if _, err := st.LatestAnalysis(ctx); kume.ErrorCode(err) == kume.ENOTFOUND {
				fmt.Fprintln(env.Stderr, "kume: warning: no analysis results yet (run \"kume analyze\"): the hexagons and clusters layers are empty")
			}
			return
		}
	}
}

// exportPMTiles writes a PMTiles archive.
func exportPMTiles(ctx context.Context, env *Env, f *exportFlags) error {
	if f.layer != "" || f.dataset != "" || f.res >= 0 || f.level != "" {
		return kume.Errorf(kume.EINVALID, "pmtiles takes --layers, --sector, --bbox and zooms (--layer, --dataset, --res and --level are for geojson and csv)")
	}
	layers, err := tiles.ParseLayers(f.layers)
	if err != nil {
		return err
	}
	bounds, err := parseBBox(f.bbox)
	if err != nil {
		return err
	}
	own, err := f.sc.open(ctx, false)
	if err != nil {
		return err
	}
	defer own.Close()
	st, err := withScope(ctx, own, f.datasets, f.includePrivate)
	if err != nil {
		return err
	}
	if bounds == nil {
		if bounds, err = dataExtent(ctx, st, layers); err != nil {
			return err
		}
	}
	warnNoAnalysis(ctx, env, st, layers)
	svc, err := tiles.New(st, tiles.Config{Bounds: *bounds, CacheBytes: -1})
	if err != nil {
		return err
	}
	version, err := svc.Version(ctx, layers)
	if err != nil {
		return err
	}
	path := pmtilesPath(f.out, version)
	out, err := createOutput(ctx, env, path)
	if err != nil {
		return err
	}
	defer out.abort()
	if err := tiles.ExportPMTilesAt(ctx, svc, out, version, layers, f.sectors, f.minzoom, f.maxzoom); err != nil {
		return err
	}
	if err := out.commit(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %s at data version %d, zooms %d-%d over %.4f,%.4f,%.4f,%.4f to %s\n", strings.Join(layers, ","),
		version, f.minzoom, f.maxzoom, bounds.Min[0], bounds.Min[1], bounds.Max[0], bounds.Max[1], outName(path))
	return nil
}

// pmtilesPath returns where a PMTiles archive of a data version goes: -o,
// or kume-v<version>.pmtiles in the directory -o names (the working
// directory without -o), so that each version is a file of its own and a
// static host or CDN can cache it for good.
func pmtilesPath(out string, version int64) string {
	name := fmt.Sprintf("kume-v%d.pmtiles", version)
	if out == "" {
		return name
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return filepath.Join(out, name)
	}
	return out
}

// dataExtent returns the bounding box of the stored establishments (and of
// the regions when the regions layer is exported), padded by half a degree so
// that the hexagons around the outermost firms are included.
func dataExtent(ctx context.Context, st kume.Store, layers []string) (*orb.Bound, error) {
	var b orb.Bound
	empty := true
	add := func(o orb.Bound) {
		if empty {
			b, empty = o, false
		} else {
			b = b.Union(o)
		}
	}
	err := st.EachEstablishment(ctx, kume.EstablishmentFilter{}, func(e *kume.Establishment) error {
		add(orb.Point{e.Lon, e.Lat}.Bound())
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		if l != tiles.LayerRegions {
			continue
		}
		regs, err := st.Regions(ctx, kume.RegionFilter{})
		if err != nil {
			return nil, err
		}
		for i := range regs {
			add(regs[i].Geometry.Bound())
		}
	}
	if empty {
		return nil, kume.Errorf(kume.EINVALID, "the store holds no data to export; import some or give --bbox")
	}
	const pad = 0.5
	b = orb.Bound{Min: orb.Point{max(-180, b.Min[0]-pad), max(-85.05, b.Min[1]-pad)},
		Max: orb.Point{min(180, b.Max[0]+pad), min(85.05, b.Max[1]+pad)}}
	return &b, nil
}

// output is an export destination: standard output, or a temporary file next
// to the named one that commit renames into place, so that a failed export
// leaves no partial file. Writes fail once ctx is done.
type output struct {
	ctx       context.Context
	w         *bufio.Writer
	f         *os.File
	path      string
	committed bool
}

// createOutput opens the destination "-" (standard output) or a file path.
func createOutput(ctx context.Context, env *Env, path string) (*output, error) {
	o := &output{ctx: ctx, path: path}
	if path == "-" {
		o.w = bufio.NewWriterSize(env.Stdout, 64<<10)
		return o, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	o.f, o.w = f, bufio.NewWriterSize(f, 64<<10)
	return o, nil
}

// Write implements io.Writer.
func (o *output) Write(p []byte) (int, error) {
	if err := o.ctx.Err(); err != nil {
		return 0, err
	}
	return o.w.Write(p)
}

// commit flushes the output and, for a file, syncs it and renames it into place.
func (o *output) commit() error {
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", outName(o.path), err)
	}
	if o.f == nil {
		o.committed = true
		return nil
	}
	if err := o.f.Chmod(0o644); err != nil {
		return err
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := o.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		return err
	}
	o.committed = true
	return nil
}

// abort removes the temporary file of an output not committed.
func (o *output) abort() {
	if o.committed || o.f == nil {
		return
	}
	o.f.Close()
	os.Remove(o.f.Name())
}

// outName names an output path in messages.
func outName(path string) string {
	if path == "-" {
		return "standard output"
	}
	return path
}
