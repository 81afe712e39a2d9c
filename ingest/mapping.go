package ingest

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kume-geo/kume/nace"
)

// Field is one of the fixed establishment fields a source column can fill.
type Field int

// The fields, in the order FieldNames lists them.
const (
	FieldID Field = iota
	FieldName
	FieldKind
	FieldType
	FieldNACE
	FieldLat
	FieldLon
	FieldGeometry
	FieldEmployees
	FieldFounded
	FieldClosed
	FieldStreet
	FieldPostcode
	FieldDistrict
	FieldProvince
	FieldCountry
	numFields
)

// FieldNames lists the field names in Field order.
func FieldNames() []string {
	return []string{"id", "name", "kind", "type", "nace", "lat", "lon", "geometry", "employees",
		"founded", "closed", "street", "postcode", "district", "province", "country"}
}

// String returns the field's name.
func (f Field) String() string {
	if f < 0 || f >= numFields {
		return fmt.Sprintf("Field(%d)", int(f))
	}
	return FieldNames()[f]
}

// ParseField returns the field with the given name.
func ParseField(name string) (Field, error) {
	for i, n := range FieldNames() {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return Field(i), nil
		}
	}
	return 0, fmt.Errorf("ingest: unknown field %q (fields: %s)", name, strings.Join(FieldNames(), ", "))
}

// KnownColumns returns the header names recognised for each field without a
// mapping, best first. Headers are compared after nace.Fold, so case, Turkish
// dotted and dotless i, diacritics and the separators _ - . and space do not
// matter. "city" fills province only when no province column exists, and
// "x"/"y" fill lon/lat only when no other column does.
func KnownColumns() map[Field][]string {
	return map[Field][]string{
		FieldID:        {"id", "opendata_id", "source_id", "kimlik", "sicil_no"},
		FieldName:      {"name", "unvan", "firma_unvani", "firma_adi", "ticaret_unvani", "adi", "ad", "isim"},
		FieldKind:      {"kind"},
		FieldType:      {"type", "institution_type", "kurum_turu"},
		FieldNACE:      {"nace", "nace_id", "nace_kodu", "nace_code", "nace_kod", "nace_rev2"},
		FieldLat:       {"lat", "latitude", "enlem", "breitengrad", "y"},
		FieldLon:       {"lon", "lng", "long", "longitude", "boylam", "laengengrad", "x"},
		FieldGeometry:  {"wkt", "geometry", "geom", "the_geom", "ewkt", "wkb_geometry", "shape", "geometri", "konum", "location"},
		FieldEmployees: {"employees", "calisan", "calisan_sayisi", "employees_range", "employment", "beschaeftigte"},
		FieldFounded:   {"founded", "founded_at", "kurulus", "kurulus_tarihi"},
		FieldClosed:    {"closed", "closed_at", "kapanis", "kapanis_tarihi"},
		FieldStreet:    {"street", "adres", "address", "strasse"},
		FieldPostcode:  {"postcode", "posta_kodu", "postal_code", "zip", "plz"},
		FieldDistrict:  {"district", "ilce"},
		FieldProvince:  {"province", "il", "city", "sehir", "stadt"},
		FieldCountry:   {"country", "ulke", "country_code"},
	}
}

// Mapping maps field names to source column names. An empty column name turns
// off the recognition of well-known headers for that field.
type Mapping map[string]string

// ParseMapping parses FIELD=COLUMN pairs as given on the command line.
func ParseMapping(pairs []string) (Mapping, error) {
	m := Mapping{}
	for _, p := range pairs {
		field, col, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("ingest: mapping %q: want FIELD=COLUMN", p)
		}
		if err := m.set(field, col); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// LoadMapping reads a YAML mapping: a map from field names to column names,
//
//	name: Firma Ünvanı
//	nace: NACE Kodu
//	district: Bezirk
func LoadMapping(r io.Reader) (Mapping, error) {
	var raw map[string]string
	dec := yaml.NewDecoder(io.LimitReader(r, 1<<20))
	if err := dec.Decode(&raw); err != nil && err != io.EOF {
		return nil, fmt.Errorf("ingest: mapping file: %w", err)
	}
	m := Mapping{}
	for field, col := range raw {
		if err := m.set(field, col); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m Mapping) set(field, col string) error {
	f, err := ParseField(field)
	if err != nil {
		return err
	}
	m[f.String()] = strings.TrimSpace(col)
	return nil
}

// Merge returns m with the entries of o added, o winning.
func (m Mapping) Merge(o Mapping) Mapping {
	out := Mapping{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// mapper resolves column names to fields. It caches the decision for every
// name it has seen (GeoJSON properties repeat from feature to feature).
type mapper struct {
	explicit map[string]Field // folded column name -> field
	off      [numFields]bool  // fields whose recognition is turned off
	known    map[string]knownCol
	cache    map[string]colRole
}

type knownCol struct {
	field Field
	rank  int
}

// colRole is what a column is used for: a field with a rank (0 best, explicit
// mappings -1), or an attribute when field is -1.
type colRole struct {
	field Field
	rank  int
}

// newMapper builds a mapper from an explicit mapping.
func newMapper(m Mapping) (*mapper, error) {
	mp := &mapper{explicit: map[string]Field{}, known: map[string]knownCol{}, cache: map[string]colRole{}}
	for name, col := range m {
		f, err := ParseField(name)
		if err != nil {
			return nil, err
		}
		if col == "" {
			mp.off[f] = true
			continue
		}
		mp.explicit[nace.Fold(col)] = f
	}
	for f, names := range KnownColumns() {
		for i, n := range names {
			mp.known[nace.Fold(n)] = knownCol{f, i}
		}
	}
	return mp, nil
}

// role returns the role of one column name considered on its own.
func (mp *mapper) role(name string) colRole {
	if r, ok := mp.cache[name]; ok {
		return r
	}
	key := nace.Fold(name)
	r := colRole{field: -1}
	if f, ok := mp.explicit[key]; ok {
		r = colRole{f, -1}
	} else if k, ok := mp.known[key]; ok && !mp.off[k.field] && !mp.mappedExplicitly(k.field) {
		r = colRole(k)
	}
	if len(mp.cache) < 10000 {
		mp.cache[name] = r
	}
	return r
}

func (mp *mapper) mappedExplicitly(f Field) bool {
	for _, g := range mp.explicit {
		if g == f {
			return true
		}
	}
	return false
}

// columns is the resolved use of each column of one header.
type columns struct {
	idx [numFields]int // column index per field, -1 when absent
	// attr lists the columns kept as attributes.
	attr []int
}

// resolve assigns the columns of header to fields: per field the column with
// the best rank, the others kept as attributes. Fallback names (city, x, y)
// count only when no better column exists; that is their rank order.
func (mp *mapper) resolve(header []string) *columns {
	c := &columns{}
	best := [numFields]int{}
	for f := range c.idx {
		c.idx[f], best[f] = -1, 1<<30
	}
	for i, h := range header {
		r := mp.role(h)
		if r.field >= 0 && r.rank < best[r.field] {
			c.idx[r.field], best[r.field] = i, r.rank
		}
	}
	used := make(map[int]bool, numFields)
	for _, i := range c.idx {
		if i >= 0 {
			used[i] = true
		}
	}
	for i := range header {
		if !used[i] {
			c.attr = append(c.attr, i)
		}
	}
	return c
}

// locates reports whether the columns can place a row: coordinates (lat and
// lon), a geometry, or an address part to geocode.
func (c *columns) locates() bool {
	if c.idx[FieldLat] >= 0 && c.idx[FieldLon] >= 0 || c.idx[FieldGeometry] >= 0 {
		return true
	}
	for _, f := range []Field{FieldStreet, FieldPostcode, FieldDistrict, FieldProvince} {
		if c.idx[f] >= 0 {
			return true
		}
	}
	return false
}

// missingExplicit returns the explicitly mapped columns that header lacks.
func (mp *mapper) missingExplicit(header []string) []string {
	have := map[string]bool{}
	for _, h := range header {
		have[nace.Fold(h)] = true
	}
	var out []string
	for col, f := range mp.explicit {
		if !have[col] {
			out = append(out, fmt.Sprintf("%s=%s", f, col))
		}
	}
	sort.Strings(out)
	return out
}
