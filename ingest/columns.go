package ingest

import (
	"fmt"
	"strings"

	"github.com/kume-geo/kume/nace"
)

// SourceColumns says how an import used the columns of one source: which
// column filled which field, and which were kept as attributes.
type SourceColumns struct {
	Source string        `json:"source"`
	Fields []FieldColumn `json:"fields"`
	// Attributes lists the columns kept as attributes (Establishment.Attrs).
	Attributes []string `json:"attributes,omitempty"`
	// MoreAttributes counts the attribute columns beyond the first
	// maxLoggedColumns, not listed.
	MoreAttributes int `json:"more_attributes,omitempty"`
}

// FieldColumn is one field and the column that filled it.
type FieldColumn struct {
	Field  string `json:"field"`
	Column string `json:"column"`
	// By says why: "mapping" (--map or a mapping file), "header" (a
	// well-known column name, see KnownColumns) or "geometry" (the GeoJSON
	// feature's point geometry).
	By string `json:"by"`
}

// String formats the use: "nace=NACE Kodu (mapping)".
func (f FieldColumn) String() string { return fmt.Sprintf("%s=%s (%s)", f.Field, f.Column, f.By) }

// maxLoggedColumns bounds the fields and attributes logged for one source
// (GeoJSON features may each bring other properties).
const maxLoggedColumns = 200

// columnLog collects the use of the columns of one source.
type columnLog struct {
	fields    []FieldColumn
	seen      map[string]bool
	attrs     []string
	moreAttrs int
	geometry  bool
}

func newColumnLog() *columnLog { return &columnLog{seen: map[string]bool{}} }

// add logs the resolved columns of one header.
func (l *columnLog) add(mp *mapper, header []string, c *columns) {
	for f, i := range c.idx {
		if i < 0 {
			continue
		}
		key := Field(f).String() + "\x00" + header[i]
		if l.seen[key] || len(l.fields) >= maxLoggedColumns {
			continue
		}
		l.seen[key] = true
		by := "header"
		if g, ok := mp.explicit[nace.Fold(header[i])]; ok && g == Field(f) {
			by = "mapping"
		}
		l.fields = append(l.fields, FieldColumn{Field: Field(f).String(), Column: header[i], By: by})
	}
	for _, i := range c.attr {
		key := "\x00" + header[i]
		if l.seen[key] {
			continue
		}
		l.seen[key] = true
		if len(l.attrs) < maxLoggedColumns {
			l.attrs = append(l.attrs, header[i])
		} else {
			l.moreAttrs++
		}
	}
}

// result returns the log as a SourceColumns.
func (l *columnLog) result(source string) SourceColumns {
	out := SourceColumns{Source: source, Fields: append([]FieldColumn(nil), l.fields...), Attributes: l.attrs, MoreAttributes: l.moreAttrs}
	if l.geometry {
		out.Fields = append(out.Fields, FieldColumn{Field: "lat, lon", Column: "the feature's geometry", By: "geometry"})
	}
	return out
}

// describeColumns writes the columns of every source for a person.
func describeColumns(b *strings.Builder, cols []SourceColumns) {
	for _, c := range cols {
		parts := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			parts[i] = f.String()
		}
		fmt.Fprintf(b, "columns of %s: %s", c.Source, strings.Join(parts, ", "))
		if len(c.Attributes) > 0 {
			fmt.Fprintf(b, "; kept as attributes: %s", strings.Join(c.Attributes, ", "))
			if c.MoreAttributes > 0 {
				fmt.Fprintf(b, " and %d more", c.MoreAttributes)
			}
		}
		b.WriteString("\n")
	}
}
