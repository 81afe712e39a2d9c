package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// RegionOptions control ReadRegions.
type RegionOptions struct {
	// Level is the level of every region read ("province", "district", ...).
	Level string
	// NameField, CodeField and ParentField name the properties to use. Empty
	// NameField tries name, NAME, ad, adi, il_adi, ilce_adi; empty CodeField
	// tries code, id, kod, number, plate, then the feature id, then the
	// folded name.
	NameField, CodeField, ParentField string
	// ParentLevel is the level of the regions the parent codes name; empty
	// takes the stored level (other than Level) that holds most of them.
	ParentLevel string
	// CRS of the coordinates when the file declares none (default WGS84).
	CRS string
	// MaxFeatureBytes caps one feature (default 64 MiB; boundaries are large).
	MaxFeatureBytes int
}

// ReadRegions reads administrative boundaries from a GeoJSON
// FeatureCollection (streamed feature by feature). Polygons and
// MultiPolygons are accepted; rings are rewound so that outer rings run
// counter-clockwise and holes clockwise (RFC 7946), and coordinates are
// reprojected to WGS84 when the file or opts name another CRS.
func ReadRegions(r io.Reader, opts RegionOptions) ([]kume.Region, error) {
	if opts.Level == "" {
		return nil, kume.Errorf(kume.EINVALID, "a region level is required")
	}
	lim := DefaultLimits()
	lim.MaxRecordBytes = opts.MaxFeatureBytes
	if lim.MaxRecordBytes <= 0 {
		lim.MaxRecordBytes = 64 << 20
	}
	lim.MaxFields = 10000
	crs, err := parseCRSOption(opts.CRS)
	if err != nil {
		return nil, err
	}
	// Gzip-compressed boundaries are read as they are, like import sources.
	br, _, err := open(Source{Name: "regions.geojson", Reader: r}, FormatGeoJSON, "utf-8", lim)
	if err != nil {
		return nil, kume.Errorf(kume.EINVALID, "regions: %v", err)
	}
	if err := skipBOM(br); err != nil {
		return nil, kume.Errorf(kume.EINVALID, "%v", err)
	}
	s, err := newFeatureCollection(br, lim)
	if err != nil {
		return nil, kume.Errorf(kume.EINVALID, "regions: %v", err)
	}
	if s.crs != nil {
		crs = *s.crs
	}
	var out []kume.Region
	seen := map[string]int{}
	for {
		raw, n, err := s.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, kume.Errorf(kume.EINVALID, "regions: %v", err)
		}
		reg, err := regionOf(raw, opts, lim, crs)
		if err != nil {
			return nil, kume.Errorf(kume.EINVALID, "regions: feature %d: %v", n, err)
		}
		if first, dup := seen[reg.Code]; dup {
			return nil, kume.Errorf(kume.EINVALID, "regions: feature %d: code %q already used by feature %d", n, reg.Code, first)
		}
		seen[reg.Code] = n
		out = append(out, reg)
	}
	if len(out) == 0 {
		return nil, kume.Errorf(kume.EINVALID, "regions: no features")
	}
	return out, nil
}

// regionOf converts one feature.
func regionOf(raw []byte, opts RegionOptions, lim Limits, crs CRS) (kume.Region, error) {
	feat, err := parseFeature(raw, lim)
	if err != nil {
		return kume.Region{}, err
	}
	names, values, err := properties(feat, lim)
	if err != nil {
		return kume.Region{}, err
	}
	prop := func(field string, fallbacks ...string) (string, string) {
		if field != "" {
			fallbacks = []string{field}
		}
		for _, f := range fallbacks {
			for i, n := range names {
				if n == f || field == "" && nace.Fold(n) == nace.Fold(f) {
					if v := strings.TrimSpace(values[i]); v != "" {
						return n, v
					}
				}
			}
		}
		return "", ""
	}
	nameKey, name := prop(opts.NameField, "name", "ad", "adi", "il_adi", "ilce_adi", "name_tr")
	if name == "" {
		return kume.Region{}, errors.New("no name (see the name field option)")
	}
	codeKey, code := prop(opts.CodeField, "code", "id", "kod", "number", "plate", "plaka")
	if code == "" {
		code = strings.ReplaceAll(nace.Fold(name), " ", "-")
	}
	parentKey, parent := "", ""
	if opts.ParentField != "" {
		parentKey, parent = prop(opts.ParentField)
	}
	g, err := geojson.UnmarshalGeometry(feat.Geometry)
	if err != nil {
		return kume.Region{}, fmt.Errorf("geometry: %w", err)
	}
	var mp orb.MultiPolygon
	switch geom := g.Geometry().(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{geom}
	case orb.MultiPolygon:
		mp = geom
	default:
		return kume.Region{}, fmt.Errorf("geometry must be a Polygon or MultiPolygon, got %s", g.Type)
	}
	if err := normalise(mp, crs); err != nil {
		return kume.Region{}, err
	}
	reg := kume.Region{Code: code, Name: name, Level: opts.Level, Parent: parent, Geometry: mp}
	for i, n := range names {
		if n != nameKey && n != codeKey && n != parentKey && values[i] != "" {
			if reg.Attrs == nil {
				reg.Attrs = map[string]string{}
			}
			reg.Attrs[n] = values[i]
		}
	}
	return reg, nil
}

// normalise reprojects to WGS84, checks the coordinates and rewinds the rings:
// outer rings counter-clockwise, holes clockwise.
func normalise(mp orb.MultiPolygon, crs CRS) error {
	for _, poly := range mp {
		for ri, ring := range poly {
			if len(ring) < 4 {
				return fmt.Errorf("a ring has %d points (at least 4)", len(ring))
			}
			for i, p := range ring {
				lon, lat := crs.ToWGS84(p[0], p[1])
				if !validLonLat(lon, lat) || lon != lon || lat != lat {
					return fmt.Errorf("coordinate %v is not a WGS84 longitude/latitude", p)
				}
				ring[i] = orb.Point{lon, lat}
			}
			if ring[0] != ring[len(ring)-1] {
				return errors.New("a ring is not closed")
			}
			ccw := ring.Orientation() == orb.CCW
			if (ri == 0) != ccw {
				ring.Reverse()
			}
		}
	}
	return nil
}

// ImportRegions reads regions (ReadRegions), links their parent codes to the
// stored regions of the parent level (a code written "6" for the parent "06"
// is stored as "06") and stores them with PutRegions in one step. The report
// lists every region whose parent was not found; such regions are stored
// with the parent code as given.
func ImportRegions(ctx context.Context, st kume.RegionStore, r io.Reader, opts RegionOptions) (RegionReport, error) {
	regions, err := ReadRegions(r, opts)
	if err != nil {
		return RegionReport{}, err
	}
	rep, err := linkParents(ctx, st, regions, opts)
	if err != nil {
		return rep, err
	}
	if err := st.PutRegions(ctx, regions); err != nil {
		return rep, fmt.Errorf("ingest: storing regions: %w", err)
	}
	return rep, nil
}

// LoadGazetteer builds a Gazetteer from the stored province and district
// regions; it returns nil when there are none.
func LoadGazetteer(ctx context.Context, st kume.RegionStore) (*Gazetteer, error) {
	var all []kume.Region
	for _, level := range append(ProvinceLevels(), DistrictLevels()...) {
		rs, err := st.Regions(ctx, kume.RegionFilter{Level: level})
		if err != nil {
			return nil, fmt.Errorf("ingest: loading regions: %w", err)
		}
		all = append(all, rs...)
	}
	if len(all) == 0 {
		return nil, nil
	}
	return NewGazetteer(all), nil
}
