package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// CSVWriter streams features as CSV: a header row, then one row per feature
// with the properties in order and the geometry as lon/lat columns (points)
// or a WKT column (everything else). Text values that a spreadsheet would
// run as a formula (starting with = + - @) are prefixed with a quote.
type CSVWriter struct {
	w       *csv.Writer
	columns []string
	points  bool
	n       int
	row     []string
}

// NewCSVWriter returns a writer onto w for features with the given property
// columns. points selects lon/lat columns instead of a wkt column.
func NewCSVWriter(w io.Writer, columns []string, points bool) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w), columns: columns, points: points}
}

// Header writes the header row.
func (c *CSVWriter) Header() error {
	h := append([]string{}, c.columns...)
	if c.points {
		h = append(h, "lon", "lat")
	} else {
		h = append(h, "wkt")
	}
	return c.w.Write(h)
}

// Write writes one feature. Properties are matched to columns by position.
func (c *CSVWriter) Write(f *Feature) error {
	row := c.row[:0]
	for i := range c.columns {
		var v any
		if i < len(f.Props) {
			v = f.Props[i].Value
		}
		row = append(row, formatValue(v))
	}
	if c.points {
		p, ok := f.Geometry.(orb.Point)
		if ok {
			row = append(row, strconv.FormatFloat(Round(p[0]), 'f', -1, 64), strconv.FormatFloat(Round(p[1]), 'f', -1, 64))
		} else {
			row = append(row, "", "")
		}
	} else if f.Geometry != nil {
		row = append(row, wkt.MarshalString(orb.Round(orb.Clone(f.Geometry), 1e7)))
	} else {
		row = append(row, "")
	}
	c.row = row
	c.n++
	if err := c.w.Write(row); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	return nil
}

// Count returns the number of rows written, header excluded.
func (c *CSVWriter) Count() int { return c.n }

// Flush flushes buffered rows and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

func formatValue(v any) string {
	switch x := clean(v).(type) {
	case nil:
		return ""
	case string:
		if x != "" && (x[0] == '=' || x[0] == '+' || x[0] == '-' || x[0] == '@') {
			return "'" + x
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
