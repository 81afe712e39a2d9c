package ingest

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kume-geo/kume"
)

// OptionSpec describes one import option a person gives as text: a flag of
// "kume import" (--NAME) and a query parameter of an upload (POST
// /api/v1/datasets/{id}/imports?NAME=...). Both read the options with
// Settings.Apply, so the two cannot drift apart.
type OptionSpec struct {
	Name string
	// Arg names what the option takes ("abort|skip", "EPSG:N"); "" for a
	// switch (true or false).
	Arg string
	// Default is the value when the option is not given ("" for none).
	Default string
	Help    string
	// Repeat is set for an option that may be given several times.
	Repeat bool
	// File is set for an option whose command-line flag names a file that
	// holds the value (the upload parameter carries the value itself).
	File bool
}

// Switch reports whether the option is a switch.
func (o OptionSpec) Switch() bool { return o.Arg == "" }

// OptionSpecs lists the import options in a stable order.
func OptionSpecs() []OptionSpec {
	return []OptionSpec{
		{Name: "kind", Arg: "firm|institution", Default: "firm", Help: "kind of rows without a kind column"},
		{Name: "format", Arg: "auto|csv|geojson|ndjson", Default: "auto", Help: "input format (auto: by file name, then by content)"},
		{Name: "map", Arg: "FIELD=COLUMN", Repeat: true, Help: "take FIELD from COLUMN, repeatable; fields: " + strings.Join(FieldNames(), ", ")},
		{Name: "mapping", Arg: "YAML", File: true, Help: "a YAML (or JSON) map from fields to columns, as FIELD: COLUMN lines (map options win)"},
		{Name: "crs", Arg: "EPSG:N", Default: "EPSG:4326", Help: "CRS of the coordinates, e.g. EPSG:2154"},
		{Name: "encoding", Arg: strings.Join(Encodings(), "|"), Default: "utf-8", Help: "text encoding of the input"},
		{Name: "on-error", Arg: "abort|skip", Default: "abort", Help: "abort: import nothing if any row is invalid; skip: import the valid rows"},
		{Name: "replace", Help: "close the dataset's establishments that the import does not contain"},
		{Name: "closed-at", Arg: "YYYY-MM-DD", Help: "set this closing date on every row without one: import a register of exits"},
		{Name: "visibility", Arg: "public|private", Help: "visibility of a new dataset (default private); an existing dataset must already have it"},
		{Name: "dry-run", Help: "read and check everything, making the decisions the import would, and write nothing"},
	}
}

// OptionSpecByName returns the option with the given name.
func OptionSpecByName(name string) (OptionSpec, bool) {
	for _, o := range OptionSpecs() {
		if o.Name == name {
			return o, true
		}
	}
	return OptionSpec{}, false
}

// Settings are import options by name, each with the values given (several
// for a Repeat option, "true" or "false" for a switch).
type Settings map[string][]string

// maxSettingBytes caps one option value (a mapping may be a few lines).
const maxSettingBytes = 64 << 10

// Check checks names and the number and size of values, without parsing
// them.
func (s Settings) Check() error {
	names := make([]string, 0, len(s))
	for name := range s {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec, ok := OptionSpecByName(name)
		if !ok {
			return kume.Errorf(kume.EINVALID, "unknown import option %s (options: %s)", strconv.QuoteToASCII(truncate(name, 40)), strings.Join(optionNames(), ", "))
		}
		vals := s[name]
		if len(vals) > 1 && !spec.Repeat {
			return kume.Errorf(kume.EINVALID, "import option %s given %d times", name, len(vals))
		}
		if len(vals) > 1000 {
			return kume.Errorf(kume.EINVALID, "import option %s given more than 1000 times", name)
		}
		for _, v := range vals {
			if len(v) > maxSettingBytes || !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				return kume.Errorf(kume.EINVALID, "import option %s: the value is longer than %d bytes, or not UTF-8 text", name, maxSettingBytes)
			}
		}
	}
	return nil
}

func optionNames() []string {
	var out []string
	for _, o := range OptionSpecs() {
		out = append(out, o.Name)
	}
	return out
}

// Apply checks the settings and sets what they say in o. An invalid value is
// an EINVALID error naming the option.
func (s Settings) Apply(o *Options) error {
	if err := s.Check(); err != nil {
		return err
	}
	one := func(name string) (string, bool) {
		if v := s[name]; len(v) > 0 {
			return strings.TrimSpace(v[len(v)-1]), true
		}
		return "", false
	}
	bad := func(name string, err error) error {
		return kume.Errorf(kume.EINVALID, "import option %s: %v", name, strings.TrimPrefix(err.Error(), "ingest: "))
	}
	if v, ok := one("kind"); ok {
		k := kume.Kind(v)
		if !k.Valid() {
			return kume.Errorf(kume.EINVALID, "import option kind: %q is neither firm nor institution", v)
		}
		o.Kind = k
	}
	if v, ok := one("format"); ok {
		f, err := ParseFormat(v)
		if err != nil {
			return bad("format", err)
		}
		o.Format = f
	}
	m := o.Mapping
	if v, ok := one("mapping"); ok {
		fm, err := LoadMapping(strings.NewReader(v))
		if err != nil {
			return bad("mapping", err)
		}
		m = m.Merge(fm)
	}
	if vals := s["map"]; len(vals) > 0 {
		pairs, err := ParseMapping(vals)
		if err != nil {
			return bad("map", err)
		}
		m = m.Merge(pairs)
	}
	if _, err := newMapper(m); err != nil {
		return bad("map", err)
	}
	o.Mapping = m
	if v, ok := one("crs"); ok {
		if _, err := ParseCRS(v); err != nil {
			return bad("crs", err)
		}
		o.CRS = v
	}
	if v, ok := one("encoding"); ok {
		if _, err := decoder(nil, v); err != nil {
			return bad("encoding", err)
		}
		o.Encoding = v
	}
	if v, ok := one("on-error"); ok {
		switch OnError(v) {
		case Abort, Skip:
			o.OnError = OnError(v)
		default:
			return kume.Errorf(kume.EINVALID, "import option on-error: %q is neither abort nor skip", v)
		}
	}
	if v, ok := one("closed-at"); ok {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return kume.Errorf(kume.EINVALID, "import option closed-at: want a date as YYYY-MM-DD, got %q", truncate(v, 40))
		}
		o.ClosedAt = &t
	}
	if v, ok := one("visibility"); ok {
		vis := kume.Visibility(v)
		if !vis.Valid() {
			return kume.Errorf(kume.EINVALID, "import option visibility: %q is neither public nor private", truncate(v, 40))
		}
		o.Visibility = vis
	}
	for _, sw := range []struct {
		name string
		dst  *bool
	}{{"replace", &o.Replace}, {"dry-run", &o.DryRun}} {
		if v, ok := one(sw.name); ok {
			b, err := strconv.ParseBool(v)
			if v == "" {
				b, err = true, nil
			}
			if err != nil {
				return kume.Errorf(kume.EINVALID, "import option %s: want true or false, got %q", sw.name, truncate(v, 40))
			}
			*sw.dst = b
		}
	}
	return nil
}
