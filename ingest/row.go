package ingest

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/nace"
)

// record is one row as read from a source.
type record struct {
	line   int      // first line (CSV, NDJSON) or feature number (FeatureCollection)
	header []string // column or property names
	values []string // values, parallel to header
	cols   *columns // resolved use of the columns
	// geom is the GeoJSON geometry; nil for CSV and for a null geometry.
	geom *pointGeom
	// raw is the GeoJSON feature as read, for the rejects file.
	raw []byte
}

// pointGeom is a GeoJSON point geometry, or the reason it is not one.
type pointGeom struct {
	x, y float64
	err  string
}

// SectorCoder normalises NACE codes, national variants included;
// *nace.Taxonomy implements it. Run calls NormalizeNational from several
// goroutines at once.
type SectorCoder interface {
	NormalizeNational(raw string) (code string, v nace.Variant, ok bool)
}

// natCode is a national NACE code a row was read with: its variant, the
// code as written and the NACE Rev. 2 class it gave.
type natCode struct {
	variant   nace.Variant
	raw, code string
}

// coordState says what a row's coordinates are like after conversion.
type coordState int

const (
	coordOK      coordState = iota
	coordMissing            // no coordinates: geocode
	coordInvalid            // geographic coordinates outside ±90/±180 as given
)

// converter turns records into establishments. Its methods may run on several
// goroutines at once: it holds no state of the import.
type converter struct {
	kind      kume.Kind
	crs       CRS
	closedAt  *time.Time
	precision kume.Precision
	nace      SectorCoder
	lim       Limits
	// today is the import's date (midnight UTC): a later founding date is
	// an error.
	today time.Time
}

// convert fills it.e from it.rec. It sets the state of the coordinates, a
// row error for an invalid row and the national NACE code the row was read
// with. When the row got as far as its id, idKnown is set and idHash is the
// FNV-1a hash of the id: whether the id is a duplicate is decided later, in
// the order of the rows (see runner.claimID), and a duplicate id takes
// precedence over the row errors found after the id.
func (cv *converter) convert(it *item) {
	it.state, it.re = cv.fill(it.rec, &it.e, &it.idHash, &it.idKnown, &it.nat)
}

// fill does the work of convert.
func (cv *converter) fill(rec *record, e *kume.Establishment, idHash *uint64, idKnown *bool, nat *natCode) (coordState, *RowError) {
	bad := func(f Field, format string, args ...any) (coordState, *RowError) {
		col := ""
		if i := rec.cols.idx[f]; i >= 0 {
			col = rec.header[i]
		}
		return 0, &RowError{Line: rec.line, Column: col, Reason: fmt.Sprintf(format, args...)}
	}
	for i, v := range rec.values {
		reason := ""
		switch {
		case len(v) > cv.lim.MaxFieldBytes:
			reason = fmt.Sprintf("value longer than %d bytes", cv.lim.MaxFieldBytes)
		case strings.IndexByte(v, 0) >= 0:
			reason = "NUL byte in value"
		case !utf8.ValidString(v):
			reason = "invalid UTF-8 (is the file in another encoding? see --encoding)"
		}
		if reason != "" {
			return 0, &RowError{Line: rec.line, Column: rec.header[i], Reason: reason}
		}
	}
	get := func(f Field) string {
		if i := rec.cols.idx[f]; i >= 0 {
			if v := strings.TrimSpace(rec.values[i]); !missing(v) {
				return v
			}
		}
		return ""
	}
	*e = kume.Establishment{Kind: cv.kind, Name: get(FieldName)}

	// Identity.
	if rec.cols.idx[FieldID] >= 0 {
		e.SourceID = get(FieldID)
		if e.SourceID == "" {
			return bad(FieldID, "missing id")
		}
	} else {
		e.SourceID = contentID(rec.values)
	}
	h := fnv.New64a()
	h.Write([]byte(e.SourceID))
	*idHash, *idKnown = h.Sum64(), true

	// Kind and type.
	if v := get(FieldKind); v != "" {
		k, ok := parseKind(v)
		if !ok {
			return bad(FieldKind, "unknown kind %q (firm or institution)", v)
		}
		e.Kind = k
	}
	if v := get(FieldType); v != "" {
		t := kume.InstitutionType(strings.ReplaceAll(nace.Fold(v), " ", "_"))
		if !t.Valid() {
			return bad(FieldType, "unknown institution type %q", v)
		}
		if rec.cols.idx[FieldKind] >= 0 && e.Kind == kume.KindFirm {
			return bad(FieldType, "a firm has no institution type")
		}
		e.Kind, e.Type = kume.KindInstitution, t
	}

	// Sector. A code of zeros ("0", "0000", "00.00") is the placeholder some
	// registers (IHK Berlin among them) use for "not classified": it is read
	// as a missing code, so the row is kept with an unknown sector.
	// A national code (French NAF, five-digit NACE-BEL, Turkish six-digit)
	// is read as its NACE Rev. 2 class and counted in the summary.
	if v := get(FieldNACE); v != "" && !zeroCode(v) {
		code, variant, ok := cv.nace.NormalizeNational(v)
		if !ok && variant != nace.Rev2 {
			return bad(FieldNACE, "unknown NACE code %q (read as a %s, its class %s.%s is no NACE Rev. 2 class)", v, variant.Describe(), classDigits(v)[:2], classDigits(v)[2:])
		} else if !ok {
			return bad(FieldNACE, "unknown NACE code %q", v)
		}
		e.NACE = code
		if variant != nace.Rev2 {
			*nat = natCode{variant: variant, raw: v, code: code}
		}
	}

	// Size and dates.
	if v := get(FieldEmployees); v != "" {
		emp, err := ParseEmployees(v)
		if err != nil {
			return bad(FieldEmployees, "%v: %q", err, v)
		}
		e.Employees = emp
	}
	for _, d := range []struct {
		f   Field
		dst **time.Time
	}{{FieldFounded, &e.Founded}, {FieldClosed, &e.Closed}} {
		if v := get(d.f); v != "" {
			t, err := parseDate(v)
			if err != nil {
				return bad(d.f, "%v", err)
			}
			*d.dst = &t
		}
	}
	if e.Closed == nil && cv.closedAt != nil {
		t := *cv.closedAt
		e.Closed = &t
	}
	if e.Founded != nil && e.Closed != nil && e.Closed.Before(*e.Founded) {
		return bad(FieldClosed, "closed before it was founded")
	}
	if e.Founded != nil && e.Founded.After(cv.today) {
		return bad(FieldFounded, "founded %s, after the import's date %s: a date in the future",
			e.Founded.Format(time.DateOnly), cv.today.Format(time.DateOnly))
	}

	e.Address = kume.Address{Street: get(FieldStreet), Postcode: get(FieldPostcode),
		District: get(FieldDistrict), Province: get(FieldProvince), Country: get(FieldCountry)}

	for _, i := range rec.cols.attr {
		if v := strings.TrimSpace(rec.values[i]); !missing(v) {
			if e.Attrs == nil {
				e.Attrs = make(map[string]string, len(rec.cols.attr))
			}
			e.Attrs[rec.header[i]] = v
		}
	}

	return cv.coordinates(rec, e, get, bad)
}

// coordinates reads the position from a WKT/EWKT column, the GeoJSON geometry
// or lat/lon columns, in that order, and converts it to WGS84.
func (cv *converter) coordinates(rec *record, e *kume.Establishment, get func(Field) string,
	bad func(Field, string, ...any) (coordState, *RowError)) (coordState, *RowError) {
	var x, y float64
	crs := cv.crs
	switch wkt := get(FieldGeometry); {
	case wkt != "":
		p, err := parseWKTPoint(wkt)
		if err != nil {
			return bad(FieldGeometry, "%v", err)
		}
		if p.empty {
			return coordMissing, nil
		}
		if p.srid != 0 && p.srid != crs.Code {
			c, err := ParseCRS(strconv.Itoa(p.srid))
			if err != nil {
				return bad(FieldGeometry, "%v", err)
			}
			crs = c
		}
		x, y = p.x, p.y
	case rec.geom != nil:
		if rec.geom.err != "" {
			return 0, &RowError{Line: rec.line, Column: "geometry", Reason: rec.geom.err}
		}
		x, y = rec.geom.x, rec.geom.y
	default:
		lat, lon := get(FieldLat), get(FieldLon)
		if lat == "" && lon == "" {
			return coordMissing, nil
		}
		if lat == "" {
			return bad(FieldLat, "missing latitude")
		}
		if lon == "" {
			return bad(FieldLon, "missing longitude")
		}
		var err error
		if y, err = parseNumber(lat); err != nil {
			return bad(FieldLat, "%v", err)
		}
		if x, err = parseNumber(lon); err != nil {
			return bad(FieldLon, "%v", err)
		}
	}
	if x == 0 && y == 0 {
		return 0, &RowError{Line: rec.line, Column: coordColumn(rec),
			Reason: "coordinates 0, 0 are a placeholder, not a position (leave them empty to place the row by its address)"}
	}
	e.Precision, e.GeocodeSource = cv.precision, "source"
	if crs.Geographic() {
		e.Lon, e.Lat = crs.ToWGS84(x, y)
		if !validLonLat(x, y) {
			return coordInvalid, nil
		}
		return coordOK, nil
	}
	e.Lon, e.Lat = crs.ToWGS84(x, y)
	if !validLonLat(e.Lon, e.Lat) || crs.Code != 3857 && !plausibleProjected(crs, x, y) {
		return 0, &RowError{Line: rec.line, Column: coordColumn(rec), Reason: fmt.Sprintf("x=%s y=%s is outside the area of %s", num(x), num(y), crs)}
	}
	if a, ok := crs.AreaOfUse(); ok && !a.Contains(e.Lon, e.Lat) {
		return 0, &RowError{Line: rec.line, Column: coordColumn(rec), Reason: fmt.Sprintf("x=%s y=%s in %s (%s) lies at %s %s, outside the area of use of %s, %s with a margin; is the row in another CRS?",
			num(x), num(y), crs, crs.Name, latText(round4(e.Lat)), lonText(round4(e.Lon)), crs, a)}
	}
	return coordOK, nil
}

// num formats a coordinate for a message, without an exponent.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// round4 rounds a coordinate to four decimals for a message.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// classDigits returns the first four digits of a code, "0000" when it has
// fewer.
func classDigits(v string) string {
	d := make([]byte, 0, 4)
	for i := 0; i < len(v) && len(d) < 4; i++ {
		if v[i] >= '0' && v[i] <= '9' {
			d = append(d, v[i])
		}
	}
	for len(d) < 4 {
		d = append(d, '0')
	}
	return string(d)
}

// plausibleProjected reports whether x/y round-trips through the projection,
// which fails far outside the area the projection is meant for.
func plausibleProjected(crs CRS, x, y float64) bool {
	lon, lat := crs.ToWGS84(x, y)
	x2, y2 := crs.FromWGS84(lon, lat)
	return (x2-x)*(x2-x)+(y2-y)*(y2-y) < 1
}

func coordColumn(rec *record) string {
	if i := rec.cols.idx[FieldGeometry]; i >= 0 {
		return rec.header[i]
	}
	if rec.geom != nil {
		return "geometry"
	}
	if i := rec.cols.idx[FieldLat]; i >= 0 {
		return rec.header[i]
	}
	return ""
}

func validLonLat(lon, lat float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// parseKind reads firm/institution in English or Turkish.
func parseKind(s string) (kume.Kind, bool) {
	switch nace.Fold(s) {
	case "firm", "firma", "company", "business", "isletme":
		return kume.KindFirm, true
	case "institution", "kurum", "kurulus":
		return kume.KindInstitution, true
	}
	return "", false
}

// contentID derives a stable id from a row's values for sources without an id
// column, so that re-importing the same file matches the same rows.
func contentID(values []string) string {
	h := fnv.New64a()
	for _, v := range values {
		h.Write([]byte(v))
		h.Write([]byte{0x1f})
	}
	return "h" + strconv.FormatUint(h.Sum64(), 36)
}

// zeroCode reports whether a NACE value consists of zeros and separators only.
func zeroCode(v string) bool {
	return strings.Trim(v, "0. ") == ""
}
