package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Source is one input of an import: a file, standard input or an upload.
type Source struct {
	// Name names the source in messages and rejects; its extension (.csv,
	// .tsv, .geojson, .json, .ndjson, .geojsonl, .jsonl, with an optional .gz)
	// chooses the format when Options.Format is auto. "-" is standard input.
	Name string
	// Reader is the content. Run does not close it.
	Reader io.Reader
}

// Format is an input format.
type Format string

// The input formats. FormatAuto decides by the source name, then by content.
const (
	FormatAuto    Format = "auto"
	FormatCSV     Format = "csv"
	FormatGeoJSON Format = "geojson"
	FormatNDJSON  Format = "ndjson"
)

// ParseFormat checks a format name ("" is auto).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case "":
		return FormatAuto, nil
	case FormatAuto, FormatCSV, FormatGeoJSON, FormatNDJSON:
		return f, nil
	}
	return "", fmt.Errorf("ingest: unknown format %q (auto, csv, geojson or ndjson)", s)
}

// Encodings returns the accepted text encodings.
func Encodings() []string {
	return []string{"utf-8", "windows-1254", "iso-8859-9", "windows-1252", "iso-8859-1"}
}

// decoder returns a reader that decodes the named encoding to UTF-8.
func decoder(r io.Reader, enc string) (io.Reader, error) {
	switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
	case "", "utf-8", "utf8":
		return r, nil
	case "windows-1254", "cp1254":
		return transform.NewReader(r, charmap.Windows1254.NewDecoder()), nil
	case "iso-8859-9", "latin5":
		return transform.NewReader(r, charmap.ISO8859_9.NewDecoder()), nil
	case "windows-1252", "cp1252":
		return transform.NewReader(r, charmap.Windows1252.NewDecoder()), nil
	case "iso-8859-1", "latin1":
		return transform.NewReader(r, charmap.ISO8859_1.NewDecoder()), nil
	}
	return nil, fmt.Errorf("ingest: unknown encoding %q (one of %s)", enc, strings.Join(Encodings(), ", "))
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// errBomb ends an import whose compressed input expands too much.
var errBomb = errors.New("refusing a possible decompression bomb")

// bombReader stops a gzip stream that expands more than ratio-fold beyond the
// first free bytes.
type bombReader struct {
	r     io.Reader
	in    *countReader
	out   int64
	free  int64
	ratio int64
}

func (b *bombReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.out += int64(n)
	if b.out > b.free && b.out > b.ratio*b.in.n {
		return n, fmt.Errorf("%w: gzip input expands more than %d-fold", errBomb, b.ratio)
	}
	return n, err
}

// open decodes compression and text encoding and decides the format.
func open(src Source, format Format, enc string, lim Limits) (*bufio.Reader, Format, error) {
	br := bufio.NewReaderSize(src.Reader, 64<<10)
	name := strings.ToLower(src.Name)
	magic, _ := br.Peek(2)
	if strings.HasSuffix(name, ".gz") || bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		in := &countReader{r: br}
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, "", fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(&bombReader{r: zr, in: in, free: lim.GzipFree, ratio: lim.GzipRatio}, 64<<10)
		name = strings.TrimSuffix(name, ".gz")
	}
	r, err := decoder(br, enc)
	if err != nil {
		return nil, "", err
	}
	if r != io.Reader(br) {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	if format == FormatAuto || format == "" {
		format = detectFormat(name, br)
	}
	return br, format, nil
}

// detectFormat decides by extension, then by the first bytes: a JSON object
// whose first line is a complete Feature is NDJSON, another JSON object a
// FeatureCollection, anything else CSV.
func detectFormat(name string, br *bufio.Reader) Format {
	switch path.Ext(name) {
	case ".csv", ".tsv", ".txt", ".tab":
		return FormatCSV
	case ".geojson", ".json":
		return FormatGeoJSON
	case ".ndjson", ".geojsonl", ".geojsons", ".jsonl", ".geojsonseq":
		return FormatNDJSON
	}
	head, _ := br.Peek(64 << 10)
	head = bytes.TrimLeft(head, " \t\r\n\x1e\xef\xbb\xbf")
	if len(head) == 0 || head[0] != '{' {
		return FormatCSV
	}
	if i := bytes.IndexByte(head, '\n'); i > 0 {
		first := bytes.TrimSpace(head[:i])
		if first[len(first)-1] == '}' && bytes.Contains(first, []byte(`"Feature"`)) && !bytes.Contains(first, []byte(`"FeatureCollection"`)) {
			return FormatNDJSON
		}
	}
	return FormatGeoJSON
}

// rowReader yields the records of one source.
type rowReader interface {
	// next returns the next record, io.EOF at the end, or an error. With a
	// *RowError the record (when not nil) holds what was read of the bad row
	// and reading may go on; any other error ends the source.
	next() (*record, error)
	// crs is the CRS the source declares, nil when it declares none.
	crs() *CRS
	// columns is the use of the source's columns so far. It may be read
	// only once next has returned io.EOF or an error that ends the source.
	columns() *columnLog
}

// csvRows reads records from CSV.
type csvRows struct {
	r      *csvReader
	header []string
	cols   *columns
	rec    record
	log    *columnLog
}

func newCSVRows(br *bufio.Reader, mp *mapper, lim Limits) (*csvRows, error) {
	r, err := newCSVReader(br, 0, lim)
	if err != nil {
		return nil, err
	}
	fields, _, err := r.next()
	if err == io.EOF {
		return nil, errEmpty
	} else if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	header := make([]string, len(fields))
	seen := map[string]int{}
	for i, f := range fields {
		h := strings.TrimSpace(f)
		if h == "" {
			h = fmt.Sprintf("column_%d", i+1)
		}
		if n := seen[h]; n > 0 {
			seen[h] = n + 1
			h = fmt.Sprintf("%s_%d", h, n+1)
		}
		seen[h]++
		header[i] = h
	}
	if missing := mp.missingExplicit(header); len(missing) > 0 {
		return nil, fmt.Errorf("mapped columns not in the header: %s", strings.Join(missing, ", "))
	}
	c := &csvRows{r: r, header: header, cols: mp.resolve(header), log: newColumnLog()}
	c.log.add(mp, header, c.cols)
	if !c.cols.locates() {
		return nil, fmt.Errorf("no column places the rows: none of %s is recognised as lat and lon, a WKT geometry or an address to geocode; name them with --map lat=COLUMN --map lon=COLUMN, --map geometry=COLUMN or --map province=COLUMN",
			quoteList(header, 12))
	}
	c.rec.header, c.rec.cols = header, c.cols
	return c, nil
}

func (c *csvRows) crs() *CRS { return nil }

func (c *csvRows) columns() *columnLog { return c.log }

func (c *csvRows) next() (*record, error) {
	fields, line, err := c.r.next()
	if err != nil {
		return nil, err
	}
	if len(fields) == len(c.header)+1 {
		fields = joinSplitEWKT(fields)
	}
	c.rec.line, c.rec.values = line, fields
	if len(fields) != len(c.header) {
		return &c.rec, &RowError{Line: line, Reason: fmt.Sprintf("row has %d fields; the header has %d", len(fields), len(c.header))}
	}
	return &c.rec, nil
}

// joinSplitEWKT repairs a row of a semicolon-separated file whose EWKT value
// was written unquoted ("SRID=4326;POINT(29 41)"), which the delimiter split in
// two: a field "SRID=<digits>" followed by one that starts with a WKT
// geometry keyword is joined back into one. Any other row is returned as is.
func joinSplitEWKT(fields []string) []string {
	for i := 0; i+1 < len(fields); i++ {
		f := strings.TrimSpace(fields[i])
		srid, ok := strings.CutPrefix(strings.ToUpper(f), "SRID=")
		if !ok || srid == "" || strings.Trim(srid, "0123456789") != "" {
			continue
		}
		next := strings.ToUpper(strings.TrimSpace(fields[i+1]))
		for _, kw := range []string{"POINT", "MULTIPOINT", "LINESTRING", "POLYGON", "MULTIPOLYGON", "GEOMETRYCOLLECTION"} {
			if strings.HasPrefix(next, kw) {
				out := append(fields[:i:i], f+";"+strings.TrimSpace(fields[i+1]))
				return append(out, fields[i+2:]...)
			}
		}
	}
	return fields
}

// featureRows reads records from GeoJSON features.
type featureRows struct {
	s    *featureStream
	mp   *mapper
	lim  Limits
	cols map[string]*columns
	log  *columnLog
}

func newFeatureRows(s *featureStream, mp *mapper, lim Limits) *featureRows {
	return &featureRows{s: s, mp: mp, lim: lim, cols: map[string]*columns{}, log: newColumnLog()}
}

func (f *featureRows) crs() *CRS { return f.s.crs }

func (f *featureRows) columns() *columnLog { return f.log }

func (f *featureRows) next() (*record, error) {
	raw, n, err := f.s.next()
	if err != nil {
		return nil, err
	}
	rec := &record{line: n, raw: raw}
	feat, err := parseFeature(raw, f.lim)
	if err != nil {
		return rec, &RowError{Line: n, Reason: err.Error()}
	}
	names, values, err := properties(feat, f.lim)
	if err != nil {
		return rec, &RowError{Line: n, Reason: err.Error()}
	}
	key := strings.Join(names, "\x00")
	cols, ok := f.cols[key]
	if !ok {
		cols = f.mp.resolve(names)
		if len(f.cols) < 1000 {
			f.cols[key] = cols
		}
		f.log.add(f.mp, names, cols)
	}
	rec.header, rec.values, rec.cols = names, values, cols
	rec.geom = pointGeometry(feat.Geometry)
	if rec.geom != nil && rec.geom.err == "" {
		f.log.geometry = true
	}
	return rec, nil
}

// newRowReader opens a source for reading records.
func newRowReader(src Source, opts *Options, mp *mapper) (rowReader, error) {
	br, format, err := open(src, opts.Format, opts.Encoding, opts.Limits)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatCSV:
		return newCSVRows(br, mp, opts.Limits)
	case FormatNDJSON:
		return newFeatureRows(newNDJSON(br, opts.Limits), mp, opts.Limits), nil
	case FormatGeoJSON:
		if err := skipBOM(br); err != nil {
			return nil, err
		}
		if p, _ := br.Peek(1); len(p) == 0 {
			return nil, errEmpty
		}
		s, err := newFeatureCollection(br, opts.Limits)
		if err != nil {
			return nil, err
		}
		return newFeatureRows(s, mp, opts.Limits), nil
	}
	return nil, fmt.Errorf("ingest: unknown format %q", format)
}

// quoteList returns up to n quoted names joined by commas, and how many more.
func quoteList(names []string, n int) string {
	var b strings.Builder
	for i, name := range names {
		if i == n {
			fmt.Fprintf(&b, " and %d more", len(names)-n)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", name)
	}
	return b.String()
}
