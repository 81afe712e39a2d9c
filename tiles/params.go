package tiles

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/layer"
)

// Layer names (those of package layer).
const (
	LayerHexagons       = layer.Hexagons
	LayerClusters       = layer.Clusters
	LayerEstablishments = layer.Establishments
	LayerInstitutions   = layer.Institutions
	LayerRegions        = layer.Regions
	LayerEmerging       = layer.Emerging
)

// Query parameter names.
const (
	paramSector = "sector"
	paramRes    = "res"
	paramType   = "type"
	paramLevel  = "level"
	paramAt     = "at"
)

// Params are the validated query parameters of a tile request. Their zero value
// asks for every firm at the zoom's resolution.
type Params struct {
	// Sector is a sector key (see layer.Sectors).
	Sector string
	// Res overrides the zoom's H3 resolution when HasRes is set.
	Res    int
	HasRes bool
	// Type restricts the institutions layer to one institution type.
	Type kume.InstitutionType
	// Level restricts the regions layer to one region level.
	Level string
	// At is the day ("YYYY-MM-DD") at whose end the point layers show the
	// establishments active; "" means now (Config.Now).
	At string
	// Emerging holds the options of the emerging layer's analysis (its res
	// among them); the zero value for every other layer.
	Emerging emerging.Options
}

// activeAt returns the time at which the point layers' establishments must
// be active: the last microsecond of the day At (UTC), or now when At is "".
func (p Params) activeAt(now func() time.Time) time.Time {
	if p.At == "" {
		return now()
	}
	d, err := time.Parse(time.DateOnly, p.At)
	if err != nil {
		return now() // unreachable: ParseParams validated At
	}
	return d.AddDate(0, 0, 1).Add(-time.Microsecond)
}

// key returns the canonical form of p, used in cache keys and ETags.
func (p Params) key() string {
	var b strings.Builder
	b.WriteString("sector=")
	b.WriteString(p.Sector)
	if p.HasRes {
		b.WriteString("&res=")
		b.WriteString(strconv.Itoa(p.Res))
	}
	b.WriteString("&type=")
	b.WriteString(string(p.Type))
	b.WriteString("&level=")
	b.WriteString(p.Level)
	if p.At != "" {
		b.WriteString("&at=")
		b.WriteString(p.At)
	}
	if p.Emerging != (emerging.Options{}) {
		b.WriteString("&emerging=")
		b.WriteString(url.QueryEscape(p.Emerging.Values().Encode()))
	}
	return b.String()
}

// atPattern is the syntax of a day.
var atPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// levelPattern is the syntax of a region level.
var levelPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// ParseLayers parses a comma-separated layer list such as "hexagons,clusters".
// An unknown layer is ENOTFOUND; an empty list, an empty name or a layer named
// twice is EINVALID (duplicates are refused rather than merged, so that every
// tile has exactly one URL), and so is the emerging layer with another: its
// parameters (res, step, …) are its own.
func ParseLayers(s string) ([]string, error) {
	if s == "" || len(s) > 128 {
		return nil, kume.Errorf(kume.EINVALID, "layer list must name 1 to 5 layers")
	}
	parts := strings.Split(s, ",")
	if len(parts) > len(layerNames())-1 {
		return nil, kume.Errorf(kume.EINVALID, "layer list must name 1 to 5 layers")
	}
	if len(parts) > 1 && slices.Contains(parts, LayerEmerging) {
		return nil, kume.Errorf(kume.EINVALID, "the emerging layer is served alone")
	}
	seen := map[string]bool{}
	for _, p := range parts {
		if !knownLayer(p) {
			return nil, kume.Errorf(kume.ENOTFOUND, "unknown layer; layers are %s", strings.Join(layerNames(), ", "))
		}
		if seen[p] {
			return nil, kume.Errorf(kume.EINVALID, "layer %s named twice", p)
		}
		seen[p] = true
	}
	return parts, nil
}

// layerNames lists the layers in their order inside a composite tile (the
// emerging layer is always alone).
func layerNames() []string {
	return []string{LayerRegions, LayerHexagons, LayerClusters, LayerInstitutions, LayerEstablishments, LayerEmerging}
}

func knownLayer(name string) bool {
	for _, n := range layerNames() {
		if n == name {
			return true
		}
	}
	return false
}

// layerParams returns the query parameters a layer accepts.
func layerParams(layer string) []string {
	switch layer {
	case LayerHexagons:
		return []string{paramSector, paramRes}
	case LayerClusters:
		return []string{paramSector}
	case LayerEstablishments:
		return []string{paramSector, paramAt}
	case LayerInstitutions:
		return []string{paramType, paramAt}
	case LayerRegions:
		return []string{paramSector, paramLevel}
	case LayerEmerging:
		return append([]string{paramSector}, emerging.ParamNames()...)
	}
	return nil
}

// ParseParams validates the query of a tile or TileJSON request for the given
// layers. Every error is EINVALID: a parameter that none of the layers accepts,
// a repeated parameter, a sector that Config.Sectors does not parse, a
// malformed res, type, level or at (a day YYYY-MM-DD from 1000 to 9999, point
// layers only), or an option of the emerging layer that emerging.ParseOptions
// refuses. Messages never repeat more than a few characters of the input.
func (s *Service) ParseParams(layers []string, q url.Values) (Params, error) {
	var p Params
	allowed := map[string]bool{}
	for _, l := range layers {
		for _, name := range layerParams(l) {
			allowed[name] = true
		}
	}
	for name, vs := range q {
		if !allowed[name] {
			return p, kume.Errorf(kume.EINVALID, "parameter %q is not accepted by layer %s", shorten(name), strings.Join(layers, ","))
		}
		if len(vs) != 1 {
			return p, kume.Errorf(kume.EINVALID, "parameter %s given %d times", name, len(vs))
		}
		v := vs[0]
		if slices.Contains(layers, LayerEmerging) && name != paramSector {
			continue // the options of its analysis, read below
		}
		switch name {
		case paramSector:
			sector, err := s.cfg.Sectors.Parse(v)
			if err != nil {
				return p, err
			}
			p.Sector = sector
		case paramRes:
			r, ok := parseSmall(v)
			if !ok || len(v) > 2 || r > 15 {
				return p, kume.Errorf(kume.EINVALID, "res must be an H3 resolution 0..15")
			}
			p.Res, p.HasRes = int(r), true
		case paramType:
			t := kume.InstitutionType(v)
			if !t.Valid() {
				return p, kume.Errorf(kume.EINVALID, "type must be an institution type such as university or chamber")
			}
			p.Type = t
		case paramLevel:
			if !levelPattern.MatchString(v) {
				return p, kume.Errorf(kume.EINVALID, "level must be 1 to 32 characters a-z, 0-9 or _")
			}
			p.Level = v
		case paramAt:
			d, err := time.Parse(time.DateOnly, v)
			if !atPattern.MatchString(v) || err != nil || d.Year() < 1000 {
				return p, kume.Errorf(kume.EINVALID, "at must be a day YYYY-MM-DD")
			}
			p.At = v
		}
	}
	if slices.Contains(layers, LayerEmerging) {
		var err error
		p.Emerging, err = emerging.ParseOptions(func(name string) (string, bool) {
			vs, ok := q[name]
			if !ok {
				return "", false
			}
			return vs[0], true
		})
		return p, err
	}
	return p, nil
}

// shorten shortens client input quoted in an error message.
func shorten(s string) string {
	const n = 24
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
